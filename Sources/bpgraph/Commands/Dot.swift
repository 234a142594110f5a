import ArgumentParser
import BPGraph
import BPGraphRender
import Foundation

struct DotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dot",
        abstract: "Print the figure's DOT text (what `render` lays out and draws).")

    @Argument(help: "The spec file (.json, .yaml), or - for standard input; or use --expr.")
    var spec: String?

    @OptionGroup var figure: FigureArguments
    @OptionGroup var input: SpecInputOptions
    @OptionGroup var expression: ExpressionOptions

    func validate() throws {
        try expression.validate(specs: spec.map { [$0] } ?? [])
    }

    func run() throws {
        let options = try figure.options()
        let graph = try SpecInput.graph(spec, expression: expression, format: input.inputFormat)
        // The DOT of any size of graph: --max-nodes is render's.
        let figure = try Figure(graph: graph, name: SpecInput.displayName(spec, expression: expression),
                                settings: FigureSettings(options: options, format: .dot, maxNodes: .max))
        try Terminal.write(figure.dot)
    }
}
