import ArgumentParser
import BPGraph

/// Usage errors: the command line is wrong, whatever the files hold. Each is one
/// `Diagnostic` of kind `.usage` naming the command (`bpgraph render: …`), printed as one
/// line by `Main` (exit code 2), whether ArgumentParser found it (an unknown flag, a bad
/// value, a `validate()`) or a command did (flags that do not go together).
enum Usage {
    /// The problem `message`, for the command being run; `place` is the argument at
    /// fault, if one is (`-o s.pdf`).
    static func error(_ message: String, place: String? = nil) -> Diagnostic {
        Diagnostic(.usage, file: command, place: place, message: message)
    }

    /// ArgumentParser's error as one line: its message (not its usage block and help
    /// lines), then where the full help is.
    static func diagnostic(for error: Error) -> Diagnostic {
        let text = BPGraphCommand.message(for: error)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        var message = text.isEmpty ? "invalid command line" : text
        // ArgumentParser's sentences start with a capital ("Unknown option '--fromat'").
        if let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase == true {
            message = first.lowercased() + message.dropFirst()
        }
        return Diagnostic(.usage, file: command, message: message + " (see '\(command) --help')")
    }

    /// `bpgraph` and the subcommand the command line names, if any.
    static var command: String {
        let names = BPGraphCommand.configuration.subcommands.compactMap { $0.configuration.commandName }
        let arguments = CommandLine.arguments.dropFirst()
        if let first = arguments.first, names.contains(first) { return "bpgraph \(first)" }
        return "bpgraph"
    }

    static func isUsage(_ error: Error) -> Bool {
        (error as? Diagnostic)?.kind == .usage
    }
}
