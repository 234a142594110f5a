import ArgumentParser
import BPGraph
import Foundation

/// The site a Markdown post belongs to, which decides where its figures are written and how
/// they are linked so that the links resolve on the built site (DESIGN §4):
/// - Jekyll (`_config.yml`): posts are served at permalinks such as `/posts/:title/`, so a
///   link relative to the source file breaks; figures go under the site's
///   `assets/img/bpgraph/`, linked site-absolute with `_config.yml`'s `baseurl` in front.
/// - Hugo (`hugo.toml`, `hugo.yaml`, `hugo.json`, or `config.toml`/`.yaml`/`.json` beside a
///   `content/` folder): a page bundle (`index.md`) gets its figures beside it, linked by bare
///   name; any other page gets them under `static/images/bpgraph/`, linked as the site serves
///   them (`/images/bpgraph/…`, after `baseURL`'s path).
/// - MkDocs (`mkdocs.yml`): relative to the page, which MkDocs rewrites for the built site;
///   the figures must be inside `docs_dir`.
/// - Plain folders (a GitHub README, Obsidian): relative to the page.
/// The site is found by walking up from the post's folder, stopping at a Git repository's top.
struct PostSite: Equatable {
    enum Kind: String, CaseIterable, ExpressibleByArgument {
        case jekyll, hugo, mkdocs, plain
    }

    var kind: Kind
    /// The site's top folder (absolute), where its configuration file is; nil for plain.
    var root: String?
    /// The configuration file that told the kind, for messages.
    var config: String?
    /// The path the site is served under: Jekyll's `baseurl`, the path of Hugo's `baseURL`
    /// (`/blog`), or "".
    var basePath = ""
    /// MkDocs' `docs_dir` (absolute).
    var docsDir: String?
    /// Whether Hugo's configuration lets raw HTML through (`markup.goldmark.renderer.unsafe`).
    var rawHTML = false

    /// The site of a post in `folder` (absolute). `kind` (from `--site`) overrides the walk's
    /// answer; the site's root is still looked for, by its configuration file or, failing
    /// that, by the folder that holds its posts (`_posts`, `content`, `docs`).
    static func find(from folder: String, kind override: Kind?) throws -> PostSite {
        let fm = FileManager.default
        var found: PostSite?
        var directory = folder
        while true {
            if let site = try site(in: directory, only: override), override == nil || site.kind == override {
                found = site
                break
            }
            if fm.fileExists(atPath: (directory as NSString).appendingPathComponent(".git")) { break }
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { break }
            directory = parent
        }
        if let found { return found }
        guard let override, override != .plain else { return PostSite(kind: .plain) }
        // --site without the configuration file: the folder that holds the site's pages.
        let holder = ["jekyll": "_posts", "hugo": "content", "mkdocs": "docs"][override.rawValue]!
        var components = folder.split(separator: "/").map(String.init)
        while let last = components.last, last != holder { components.removeLast() }
        guard !components.isEmpty else {
            let file = ["jekyll": "_config.yml", "hugo": "hugo.toml", "mkdocs": "mkdocs.yml"][override.rawValue]!
            throw Failure("--site \(override.rawValue): found no \(file) in \(folder) or above it, nor a \(holder) folder the post is in; bpgraph needs the site's top folder to link figures")
        }
        components.removeLast()
        let root = "/" + components.joined(separator: "/")
        var site = PostSite(kind: override, root: root)
        if override == .mkdocs { site.docsDir = (root as NSString).appendingPathComponent("docs") }
        return site
    }

    /// The site whose configuration file is in `directory`, if any.
    private static func site(in directory: String, only: Kind?) throws -> PostSite? {
        let fm = FileManager.default
        func file(_ name: String) -> String? {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue ? path : nil
        }
        func folder(_ name: String) -> Bool {
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory) && isDirectory.boolValue
        }
        if only == nil || only == .jekyll, let config = file("_config.yml") ?? file("_config.yaml") {
            var site = PostSite(kind: .jekyll, root: directory, config: config)
            site.basePath = normalizedBase(topLevelValue("baseurl", in: try read(config), separator: ":") ?? "")
            return site
        }
        if only == nil || only == .hugo {
            let names = ["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"] + (folder("content") ? ["config.toml", "config.yaml", "config.yml", "config.json"] : [])
            if let config = names.lazy.compactMap(file).first {
                var site = PostSite(kind: .hugo, root: directory, config: config)
                let text = try read(config)
                let base = config.hasSuffix(".toml") ? topLevelValue("baseurl", in: text, separator: "=", caseInsensitive: true)
                    : config.hasSuffix(".json") ? jsonValue("baseurl", in: text)
                    : topLevelValue("baseurl", in: text, separator: ":", caseInsensitive: true)
                site.basePath = normalizedBase(urlPath(base ?? ""))
                site.rawHTML = text.range(of: #"unsafe"?\s*[=:]\s*true"#, options: .regularExpression) != nil
                return site
            }
        }
        if only == nil || only == .mkdocs, let config = file("mkdocs.yml") ?? file("mkdocs.yaml") {
            var site = PostSite(kind: .mkdocs, root: directory, config: config)
            let docs = topLevelValue("docs_dir", in: try read(config), separator: ":") ?? "docs"
            site.docsDir = URL(fileURLWithPath: docs, relativeTo: URL(fileURLWithPath: directory, isDirectory: true)).standardizedFileURL.path
            return site
        }
        return nil
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(file: path, "cannot read the site's configuration") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A top-level scalar of a YAML or TOML file (`key: value`, `key = "value"`), quotes and a
    /// trailing comment removed. TOML's tables end the top level.
    static func topLevelValue(_ key: String, in text: String, separator: Character, caseInsensitive: Bool = false) -> String? {
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if separator == "=" && line.hasPrefix("[") { return nil }
            guard let first = line.first, first != " " && first != "\t" && first != "#" else { continue }
            guard let sep = line.firstIndex(of: separator) else { continue }
            var name = line[..<sep].trimmingCharacters(in: .whitespaces)
            if name.count >= 2, let q = name.first, q == "\"" || q == "'", name.last == q { name = String(name.dropFirst().dropLast()) }
            guard caseInsensitive ? name.lowercased() == key.lowercased() : name == key else { continue }
            return scalar(line[line.index(after: sep)...])
        }
        return nil
    }

    /// `"baseURL": "…"` in a JSON configuration.
    static func jsonValue(_ key: String, in text: String) -> String? {
        guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object.first { $0.key.lowercased() == key.lowercased() }?.value as? String
    }

    private static func scalar(_ text: Substring) -> String {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let q = value.first, q == "\"" || q == "'" {
            let body = value.dropFirst()
            return String(body.prefix { $0 != q })
        }
        var plain = Substring(value)
        if let comment = plain.range(of: " #") { plain = plain[..<comment.lowerBound] }
        return plain.trimmingCharacters(in: .whitespaces)
    }

    /// The path of a URL (`https://example.org/blog/` → `/blog/`); a path stays a path.
    static func urlPath(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "" }
        return String(rest[slash...])
    }

    /// `/blog`, from `blog`, `/blog/` or `/blog`; "" for the site's top.
    static func normalizedBase(_ base: String) -> String {
        let parts = base.split(separator: "/").filter { !$0.isEmpty }
        return parts.isEmpty ? "" : "/" + parts.joined(separator: "/")
    }

    /// Where the figures of a post go and how each is linked.
    struct Placement {
        /// The figures' folder (absolute).
        var folder: String
        /// A link to a figure file of that folder, by its file name.
        var link: @Sendable (String) -> String
    }

    /// `post` is the written post (absolute); `assets` (absolute) and `linkPrefix` are the
    /// options' overrides.
    func placement(post: String, assets: String?, assetsName: String?, linkPrefix: String?) throws -> Placement {
        let postFolder = (post as NSString).deletingLastPathComponent
        let prefixed: (@Sendable (String) -> String)? = linkPrefix.map { prefix in
            let base = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
            return { base + MarkdownPost.linkTarget($0) }
        }
        func relative(_ folder: String) -> @Sendable (String) -> String {
            let path = MarkdownPost.relativePath(from: postFolder, to: (folder as NSString).appendingPathComponent("x"))
            let dir = String(path.dropLast(1))
            return { MarkdownPost.linkTarget(dir + $0) }
        }
        func inside(_ folder: String, _ top: String) -> [String]? {
            let f = folder.split(separator: "/").map(String.init), t = top.split(separator: "/").map(String.init)
            guard f.count >= t.count, Array(f.prefix(t.count)) == t else { return nil }
            return Array(f.dropFirst(t.count))
        }
        func served(_ components: [String]) -> @Sendable (String) -> String {
            let path = basePath + "/" + components.map { $0 + "/" }.joined()
            return { MarkdownPost.linkTarget(path + $0) }
        }
        let shown = assetsName ?? assets ?? ""
        switch kind {
        case .plain:
            let folder = assets ?? postFolder
            return Placement(folder: folder, link: prefixed ?? relative(folder))
        case .mkdocs:
            let folder = assets ?? postFolder
            if prefixed == nil, let docsDir, inside(post, docsDir) != nil, inside(folder, docsDir) == nil {
                throw Failure("--assets \(shown): MkDocs publishes only what is inside its docs_dir (\(docsDir)); put the figures there")
            }
            return Placement(folder: folder, link: prefixed ?? relative(folder))
        case .jekyll:
            let root = self.root!
            let folder = assets ?? (root as NSString).appendingPathComponent("assets/img/bpgraph")
            if let prefixed { return Placement(folder: folder, link: prefixed) }
            guard let components = inside(folder, root) else {
                throw Failure("--assets \(shown): the folder is outside the Jekyll site (\(root)), which would not publish it; use a folder inside it such as assets/img/bpgraph")
            }
            if let hidden = components.first(where: { $0.hasPrefix("_") || $0.hasPrefix(".") }) {
                throw Failure("--assets \(shown): Jekyll does not publish folders whose names start with _ or . (\(hidden)); use a folder such as assets/img/bpgraph")
            }
            return Placement(folder: folder, link: served(components))
        case .hugo:
            let root = self.root!
            let name = (post as NSString).lastPathComponent.lowercased()
            let bundle = name == "index.md" || name == "index.markdown" || name == "_index.md" || name == "_index.markdown"
            let staticFolder = (root as NSString).appendingPathComponent("static")
            let folder = assets ?? (bundle ? postFolder : (staticFolder as NSString).appendingPathComponent("images/bpgraph"))
            if let prefixed { return Placement(folder: folder, link: prefixed) }
            if bundle, inside(folder, postFolder) != nil { return Placement(folder: folder, link: relative(folder)) }
            guard let components = inside(folder, staticFolder) else {
                throw Failure("--assets \(shown): Hugo serves this page's figures only from its static/ folder (\(staticFolder))\(bundle ? " or from the page bundle" : "; or make the page a bundle, folder/index.md"); use static/images/bpgraph")
            }
            return Placement(folder: folder, link: served(components))
        }
    }
}
