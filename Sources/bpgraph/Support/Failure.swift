import BPGraph
import Foundation

/// A failure to report: one line per problem on stderr, exit code 1.
struct Failure: Error {
    var lines: [String]
    init(_ lines: [String]) { self.lines = lines }
    init(_ line: String) { self.lines = [line] }
    init(_ error: Error) {
        if let spec = error as? SpecError { lines = spec.diagnostics.map(\.description) }
        else if let failure = error as? Failure { lines = failure.lines }
        else { lines = ["\(error)"] }
    }
}

enum Terminal {
    static func printErrors(_ lines: [String]) {
        let text = lines.joined(separator: "\n") + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
