import ArgumentParser
import BPGraph
import Foundation

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print one row per edge: forward value, UG, LG and DG = UG × LG.",
        discussion: """
            For an edge u → v: value is u's forward value; UG is the upstream gradient ∂L/∂v at \
            the consumer; LG is the local gradient ∂v/∂u (per element for elementwise ops; for \
            matmul, softmax, repeat and sum along an axis, how DG is formed from UG); DG is the \
            gradient the edge carries back to u. Constants and loss targets get none (—).
            """)

    enum ColorMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Argument(help: "The spec file (.json, .yaml), or - for standard input; or use --expr.")
    var spec: String?

    @Option(help: "Colour the gradients red: auto (when standard output is a terminal and NO_COLOR is unset), always or never.")
    var color: ColorMode = .auto

    @Option(help: "Significant digits of the numbers.")
    var precision: Int = 4

    @OptionGroup var input: SpecInputOptions

    @OptionGroup var expression: ExpressionOptions

    func validate() throws {
        try expression.validate(specs: spec.map { [$0] } ?? [])
        guard (1...17).contains(precision) else { throw ValidationError("--precision must be between 1 and 17") }
    }

    func run() throws {
        let evaluated = try SpecInput.evaluate(spec, expression: expression, format: input.inputFormat)
        let useColor: Bool
        switch color {
        case .always: useColor = true
        case .never: useColor = false
        case .auto: useColor = Terminal.stdoutIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        }
        try Terminal.write(Explanation(evaluated, precision: precision).render(color: useColor))
    }
}
