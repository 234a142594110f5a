import Foundation

/// Writing outputs so that a reader never sees a partial file: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw Failure("\(path): cannot write the file")
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure("\(path): cannot write the file (\(reason))")
        }
    }

    /// Removes a stale output left by an earlier run, so a failure leaves nothing behind.
    static func removeStale(_ path: String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            unlink(path)
        }
    }
}
