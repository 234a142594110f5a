import ArgumentParser
import BPGraph
import BPGraphRender
import Foundation

/// Root command: configuration only. Each subcommand lives in Commands/.
struct BPGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpgraph",
        abstract: "Computational-graph specs → backpropagation figures, values and gradients.",
        version: BPGraphVersion.string,
        subcommands: [RenderCommand.self, DotCommand.self, EvalCommand.self, CheckCommand.self, ExplainCommand.self, WatchCommand.self])
}

enum BPGraphVersion {
    static let string = "0.1.0"
}

@main
enum Main {
    static func main() {
        Terminal.prepare()
        if drawsFigures(CommandLine.arguments) { Renderer.prepareInBackground() }
        do {
            // The common `render SPEC -o OUT` is read without the parser's reflection
            // (QuickRender); any other command line, and any mistake, goes to the parser.
            var command: ParsableCommand = try QuickRender.parse(Array(CommandLine.arguments.dropFirst())) ?? BPGraphCommand.parseAsRoot()
            try command.run()
        } catch let error where Usage.isUsage(error) {
            // A command's own usage error (flags that do not go together): one line, exit code 2.
            Terminal.printErrors(Failure(error).lines)
            exit(2)
        } catch let error where Failure.isReported(error) {
            Terminal.printErrors(Failure(error).lines)
            exit(1)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            // --help, --version: ArgumentParser prints them in full, exit code 0.
            if BPGraphCommand.exitCode(for: error) == .success { BPGraphCommand.exit(withError: error) }
            // ArgumentParser's usage errors (an unknown flag, a bad value, no file given):
            // one line naming the command and its --help, exit code 2.
            Terminal.printErrors(Usage.diagnostic(for: error).lines)
            exit(2)
        }
        // A summary or progress line that could not be written to stderr is a failed write too.
        // Every output is written and renamed into place by now, and Terminal writes
        // without buffering; _exit skips the libraries' exit handlers and destructors
        // (Graphviz, pango, glib, fontconfig, cairo: 0.3–0.6 ms of one figure), which
        // free what the kernel is about to free anyway.
        fflush(nil)
        _exit(Terminal.stderrFailed ? 1 : 0)
    }

    /// Whether the command line looks like a render through Graphviz (not help, not DOT
    /// output): fontconfig then loads its configuration in the background while the
    /// arguments are parsed and the spec is read (`Renderer.prepareInBackground`). A wrong
    /// guess costs only that work, never a different result.
    static func drawsFigures(_ arguments: [String]) -> Bool {
        guard arguments.count > 2, arguments[1] == "render" else { return false }
        return !arguments.dropFirst(2).contains { argument in
            argument == "-h" || argument == "--help" || argument == "dot" || argument.hasSuffix(".dot") || argument == "--format=dot"
        }
    }
}
