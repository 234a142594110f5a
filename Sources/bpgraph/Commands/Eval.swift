import ArgumentParser
import BPGraph
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a spec and print every value and gradient.")

    @Argument(help: "The spec file (.json, .yaml), or - for standard input; or use --expr.")
    var spec: String?

    @Flag(help: "Print one JSON document at full Double precision.")
    var json = false

    @OptionGroup var input: SpecInputOptions

    @OptionGroup var expression: ExpressionOptions

    func validate() throws {
        try expression.validate(specs: spec.map { [$0] } ?? [])
    }

    func run() throws {
        let evaluated = try SpecInput.evaluate(spec, expression: expression, format: input.inputFormat)
        if json {
            // Streamed: a graph of 10 million values is never held as one string.
            var out = StandardOutput()
            EvalJSON.encode(evaluated, to: &out)
            try out.finish()
        } else {
            try Terminal.write(EvalTable.render(evaluated))
        }
    }
}
