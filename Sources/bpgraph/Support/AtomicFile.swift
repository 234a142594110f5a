import Foundation

/// Writing outputs so that a reader never sees a partial file: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // open + FileHandle: FileManager.createFile would write a temporary of its own,
        // rename it and fsync, which is most of the time of writing a small figure.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Failure("\(path): cannot write the file (\(String(cString: strerror(errno))))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do {
            try handle.write(contentsOf: bytes)
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw Failure("\(path): cannot write the file (\(error.localizedDescription))")
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
