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
            var command = try BPGraphCommand.parseAsRoot()
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
        exit(Terminal.stderrFailed ? 1 : 0)
    }

    /// Whether the command line looks like a render through Graphviz (not help, not DOT
    /// output): Graphviz then starts in the background while the arguments are parsed. A
    /// wrong guess costs only that work, never a different result.
    static func drawsFigures(_ arguments: [String]) -> Bool {
        guard arguments.count > 2, arguments[1] == "render" else { return false }
        return !arguments.dropFirst(2).contains { argument in
            argument == "-h" || argument == "--help" || argument == "dot" || argument.hasSuffix(".dot") || argument == "--format=dot"
        }
    }
}
