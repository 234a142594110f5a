import BPGraph
import BPGraphRender
import Foundation

/// `render SPEC --steps -o DIR`: the frames of one spec, `DIR/NAME-000.png` … in step order.
///
/// Every frame is drawn (in memory) before any is written, so a spec that fails writes
/// nothing; the frames an earlier run wrote for the same name (`NAME-NNN.png` or `.svg`:
/// three digits or more) are removed then, whether this run succeeds or fails, so the
/// folder never holds frames of two runs.
enum StepFrames {
    /// The frame files of `base` in `directory` (any run's, any of the two formats).
    static func existing(in directory: String, base: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            guard name.hasPrefix(base + "-") else { return false }
            let rest = name.dropFirst(base.count + 1)
            guard let dot = rest.lastIndex(of: ".") else { return false }
            let digits = rest[..<dot], ext = rest[rest.index(after: dot)...]
            return digits.count >= 3 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) && (ext == "png" || ext == "svg")
        }.sorted()
    }

    /// Removes every frame of `base` in `directory`.
    static func removeAll(in directory: String, base: String) {
        for name in existing(in: directory, base: base) { unlink((directory as NSString).appendingPathComponent(name)) }
    }

    /// The name of frame `k` of `count`: three digits, more when there are more frames.
    static func name(base: String, index k: Int, count: Int, format: OutputFormat) -> String {
        let width = max(3, String(max(count - 1, 0)).count)
        let digits = String(k)
        return base + "-" + String(repeating: "0", count: width - digits.count) + digits + "." + format.rawValue
    }

    /// Renders and writes the frames; returns their paths.
    @discardableResult
    static func write(_ figure: Figure, directory: String, base: String) throws -> [String] {
        let format = figure.settings.format
        let stale = existing(in: directory, base: base).map { (directory as NSString).appendingPathComponent($0) }
        let frames: [[UInt8]]
        do {
            frames = try figure.frames()
        } catch {
            for path in stale { unlink(path) }
            throw error
        }
        let paths = frames.indices.map { (directory as NSString).appendingPathComponent(Self.name(base: base, index: $0, count: frames.count, format: format)) }
        let keep = Set(paths)
        for path in stale where !keep.contains(path) { unlink(path) }
        do {
            for (path, bytes) in zip(paths, frames) { try AtomicFile.write(bytes, to: path) }
        } catch {
            for path in paths { unlink(path) }
            throw error
        }
        return paths
    }
}
