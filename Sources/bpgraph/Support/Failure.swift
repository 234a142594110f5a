import BPGraph
import Foundation

/// A failure to report: one line per problem on stderr, exit code 1. The library's
/// problems (`SpecError`, `Diagnostic`) are reported as they are thrown: `Main` turns
/// them into lines once, at the top (`Diagnostic.lines`), so no command wraps them.
struct Failure: Error {
    var lines: [String]
    init(_ lines: [String]) { self.lines = lines }
    init(_ line: String) { self.lines = [line] }
    /// A problem with a file, a folder or a stream, `path: message`: a `Diagnostic`, turned
    /// into text where the library's are (`Diagnostic.lines`).
    init(file: String, _ message: String) {
        self.lines = Diagnostic(.file, file: file, message: message).lines
    }
    init(_ error: Error) {
        if let spec = error as? SpecError { lines = spec.diagnostics.flatMap(\.lines) }
        else if let diagnostic = error as? Diagnostic { lines = diagnostic.lines }
        else if let failure = error as? Failure { lines = failure.lines }
        else { lines = ["\(error)"] }
    }

    /// A problem with the input or the output (exit code 1), as opposed to a usage error
    /// (`Usage`, exit code 2).
    static func isReported(_ error: Error) -> Bool {
        !Usage.isUsage(error) && (error is Failure || error is SpecError || error is Diagnostic)
    }
}

/// Standard output and standard error, written with plain POSIX calls: a write that fails
/// (a full disk, a closed descriptor, a reader that went away) is an error the command
/// reports, exit code 1, never a trap (Foundation's `FileHandle.write` traps on failure).
enum Terminal {
    /// Standard streams that were closed when bpgraph started. Their descriptors are then
    /// held by /dev/null, so that a file bpgraph opens never becomes "standard output".
    nonisolated(unsafe) private(set) static var closedAtStart: Set<Int32> = []
    /// Set when writing to standard error failed: the command then exits 1.
    nonisolated(unsafe) private(set) static var stderrFailed = false
    private static let lock = NSLock()

    /// Called first thing: no SIGPIPE (a reader that went away is EPIPE, reported as a
    /// failed write), and closed standard streams reserved.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for fd: Int32 in [0, 1, 2] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            closedAtStart.insert(fd)
            let null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != fd { dup2(null, fd); close(null) }
        }
        // ArgumentParser prints help and version through stdio; a failure there shows at exit.
        atexit {
            if fflush(stdout) != 0 || ferror(stdout) != 0 {
                Terminal.printErrors(["<stdout>: cannot write (\(String(cString: strerror(errno == 0 ? EIO : errno))))"])
                _exit(1)
            }
        }
    }

    /// Prints problems on stderr, one line each, user text escaped (`MessageText`). A
    /// failure to write is remembered (exit code 1), not reported: there is nowhere to.
    static func printErrors(_ lines: [String]) {
        writeError(errorText(lines))
    }

    /// Problems as printed: one line each, ending in a newline, user text escaped.
    static func errorText(_ lines: [String]) -> String {
        lines.map { MessageText.escaped($0) + "\n" }.joined()
    }

    /// Writes text (a progress bar, a summary) to stderr as it is.
    static func writeError(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if closedAtStart.contains(2) || (try? writeAll(Array(text.utf8), to: STDERR_FILENO)) == nil { stderrFailed = true }
    }

    static func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    static func write(_ bytes: [UInt8]) throws {
        do {
            if closedAtStart.contains(1) { throw WriteError(code: EBADF) }
            try writeAll(bytes, to: STDOUT_FILENO)
        } catch let error as WriteError {
            throw Failure(file: "<stdout>", "cannot write (\(String(cString: strerror(error.code))))")
        }
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws(WriteError) {
        var written = 0
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                #if canImport(Darwin)
                let n = Darwin.write(fd, buffer.baseAddress! + written, buffer.count - written)
                #else
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                #endif
                if n < 0 { if errno == EINTR { continue }; return errno }
                if n == 0 { return EIO }
                written += n
            }
            return nil
        }
        if let failure { throw WriteError(code: failure) }
    }

    /// All of standard input.
    static func readStandardInput() throws -> Data {
        if closedAtStart.contains(0) { throw Failure(file: "<stdin>", "cannot read (\(String(cString: strerror(EBADF))))") }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(file: "<stdin>", "cannot read (\(String(cString: strerror(errno))))")
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    struct WriteError: Error { var code: Int32 }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}

/// Text written in pieces to standard output (`eval --json` of a large graph is streamed,
/// not built whole), in chunks of 64 KB. A failed write stops it with the failure.
struct StandardOutput: TextOutputStream {
    private var buffer: [UInt8] = []
    private(set) var failure: Failure?

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ string: String) {
        guard failure == nil else { return }
        buffer += string.utf8
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        do { try Terminal.write(buffer) } catch { failure = Failure(error) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and throws the failure, if any.
    mutating func finish() throws {
        flush()
        if let failure { throw failure }
    }
}
