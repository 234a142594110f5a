import Foundation

/// The record of what a batch wrote into an output directory, kept in
/// `OUTDIR/.bpgraph-cache.json` so that it survives across runs:
///
/// ```json
/// {
///   "entries" : {
///     "sub/sigmoid.png" : { "fingerprint" : "…", "hash" : "…", "size" : 42391 }
///   },
///   "version" : 1
/// }
/// ```
///
/// An output is skipped when its spec's fingerprint (`Fingerprint`) matches the
/// recorded one and the file is still there with the recorded size and XXH64 hash
/// (so an output edited or replaced by hand is rendered again). The file is written
/// atomically with sorted keys; a missing or unreadable manifest is an empty one.
/// Its name starts with a dot, so bpgraph never reads it as a spec, and the
/// repository's `.gitignore` keeps it out of commits (`Output/` included).
struct BatchCache {
    static let fileName = ".bpgraph-cache.json"

    struct Entry: Codable, Equatable {
        var fingerprint: String
        var size: Int
        var hash: String
    }

    private struct File: Codable {
        var version: Int
        var entries: [String: Entry]
    }

    let directory: String
    private(set) var entries: [String: Entry]
    private let loaded: [String: Entry]

    var path: String { (directory as NSString).appendingPathComponent(Self.fileName) }

    init(directory: String) {
        self.directory = directory
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        if let data = FileManager.default.contents(atPath: path),
           let file = try? JSONDecoder().decode(File.self, from: data), file.version == 1 {
            entries = file.entries
        } else {
            entries = [:]
        }
        loaded = entries
    }

    /// Whether the output at `relative` (inside the directory) is up to date for `fingerprint`.
    func isFresh(_ relative: String, fingerprint: String) -> Bool {
        guard let entry = entries[relative], entry.fingerprint == fingerprint else { return false }
        let path = (directory as NSString).appendingPathComponent(relative)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              (attributes[.size] as? NSNumber)?.intValue == entry.size else { return false }
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return XXH64.hex(XXH64.hash(data)) == entry.hash
    }

    mutating func record(_ relative: String, _ entry: Entry) {
        entries[relative] = entry
    }

    mutating func forget(_ relative: String) {
        entries[relative] = nil
    }

    /// Writes the manifest if it changed (atomically; sorted, so the same entries give the same bytes).
    func save() throws {
        guard entries != loaded || !FileManager.default.fileExists(atPath: path) else { return }
        if entries.isEmpty && !FileManager.default.fileExists(atPath: path) { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(File(version: 1, entries: entries))
        try AtomicFile.write(Array(data) + [0x0A], to: path)
    }
}

extension BatchCache.Entry {
    /// The record of an output just written: its size and hash, for `isFresh`.
    init(fingerprint: String, bytes: [UInt8]) {
        self.init(fingerprint: fingerprint, size: bytes.count, hash: XXH64.hex(XXH64.hash(bytes)))
    }
}
