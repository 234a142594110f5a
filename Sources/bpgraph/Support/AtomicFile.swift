import Foundation

/// Writing outputs so that a reader never sees a partial file: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target.
///
/// The temporary is named `.NAME.tmp-PID-N`; one left by a process that was killed
/// (kill -9, a power cut) is removed by the next run that writes into that folder
/// (`removeDeadTemporaries`). A target that already exists keeps its permissions.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // open + FileHandle: FileManager.createFile would write a temporary of its own,
        // rename it and fsync, which is most of the time of writing a small figure.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Failure(file: path, "cannot write the file (\(String(cString: strerror(errno))))") }
        // Re-rendering over a file keeps its mode (a private 0600 figure stays private).
        // A symbolic link is replaced, not followed (lstat: the link's own type), so its
        // target's mode is not copied. (Not FileManager's attributes: they look up the
        // owner's and group's names, which reads /etc/passwd and /etc/group on every write.)
        var existing = stat()
        if lstat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG {
            fchmod(fd, existing.st_mode & 0o7777)
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do {
            try handle.write(contentsOf: bytes)
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw Failure(file: path, "cannot write the file (\(Self.reason(error)))")
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(file: path, "cannot write the file (\(reason))")
        }
    }

    /// The system's words for a failed write ("No space left on device"), as for the other
    /// failures here, rather than Foundation's wrapping of them.
    static func reason(_ error: Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }

    /// Removes a stale output left by an earlier run, so a failure leaves nothing behind.
    static func removeStale(_ path: String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            unlink(path)
        }
    }

    /// The process id in a temporary's name `.NAME.tmp-PID-N`, if it is one of ours.
    static func temporaryOwner(_ name: String) -> pid_t? {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil,
              marker.lowerBound > name.index(after: name.startIndex) else { return nil }
        return pid
    }

    /// Removes the temporaries in `folder` whose process is gone (killed while writing).
    /// A temporary of a running process (another batch into the same folder) is kept.
    static func removeDeadTemporaries(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        for name in names {
            guard let pid = temporaryOwner(name), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink((folder.isEmpty ? "." : folder) + "/" + name)
            }
        }
    }
}
