import BPGraph
import Foundation

/// Which figure files bpgraph wrote for which post, with the alt text and attributes it gave
/// their image lines: `.bpgraph-figures.json` at the top of the post's site (or, outside a
/// site, in the figures' folder). With it, a rerun deletes the figures a post no longer uses
/// (unless another post still does) and never a file it did not write, and tells an author's
/// edits of an image line from its own text. A hidden file at the site's top: Jekyll, Hugo
/// and MkDocs do not publish it.
struct PostManifest {
    static let fileName = ".bpgraph-figures.json"

    /// The manifest's folder; the paths it holds are relative to it.
    let folder: String
    struct Entry: Equatable {
        /// The figures' folder.
        var assets: String
        var images: [WrittenImage]
    }
    /// Per post (its path relative to the folder), its figures' folder and image lines.
    private(set) var posts: [String: Entry] = [:]
    private var loaded: Data?

    var path: String { (folder as NSString).appendingPathComponent(Self.fileName) }

    /// Reads the folder's manifest; a missing or unreadable one is empty.
    init(folder: String) {
        self.folder = folder
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let posts = root["posts"] as? [String: Any] else { return }
        loaded = data
        for (post, value) in posts {
            guard let entry = value as? [String: Any], let assets = entry["assets"] as? String,
                  let lines = entry["images"] as? [[String: Any]] else { continue }
            self.posts[post] = Entry(assets: assets, images: lines.compactMap { line in
                guard let files = line["files"] as? [String], !files.isEmpty else { return nil }
                return WrittenImage(files: files, alt: line["alt"] as? String ?? "", attributes: line["attributes"] as? String ?? "")
            })
        }
    }

    /// The records of a post's lines, by the first file each links.
    func previous(for post: String) -> [String: WrittenImage] {
        var byFile: [String: WrittenImage] = [:]
        for line in posts[post]?.images ?? [] where byFile[line.files[0]] == nil { byFile[line.files[0]] = line }
        return byFile
    }

    /// Records a post's figures (in `assets`, relative to the manifest's folder); returns the
    /// files (relative to the manifest's folder) that bpgraph wrote for the post before and
    /// that no post of the manifest links now.
    mutating func record(_ post: String, assets: String, lines: [WrittenImage]) -> [String] {
        func paths(_ entry: Entry?) -> Set<String> {
            guard let entry else { return [] }
            return Set(entry.images.flatMap(\.files).filter(MarkdownPost.isFigureFileName).map { (entry.assets as NSString).appendingPathComponent($0) })
        }
        let before = paths(posts[post])
        posts[post] = lines.isEmpty ? nil : Entry(assets: assets, images: lines)
        let used = posts.values.reduce(into: Set<String>()) { $0.formUnion(paths($1)) }
        return before.subtracting(used).sorted()
    }

    /// Writes the manifest when it changed (deletes it when it holds no post).
    func save() throws {
        if posts.isEmpty {
            if loaded != nil { unlink(path) }
            return
        }
        let object: [String: Any] = [
            "about": "Figures bpgraph wrote here for each post (bpgraph render POST.md). bpgraph deletes only these, when no post uses them.",
            "posts": posts.mapValues { entry in
                ["assets": entry.assets,
                 "images": entry.images.map { ["files": $0.files, "alt": $0.alt, "attributes": $0.attributes] as [String: Any] }] as [String: Any]
            },
        ]
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        if data != loaded { try AtomicFile.write([UInt8](data), to: path) }
    }
}
