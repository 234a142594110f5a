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
        let evaluated: EvaluatedGraph
        do { evaluated = try SpecInput.evaluate(spec, expression: expression, format: input.inputFormat) } catch { throw Failure(error) }
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

/// The human-readable table of `eval`: node, op, value, gradient.
enum EvalTable {
    static func render(_ evaluated: EvaluatedGraph) -> String {
        let graph = evaluated.graph
        var rows: [[String]] = [["node", "op", "value", "gradient"]]
        for (i, node) in graph.nodes.enumerated() {
            let op = node.op?.name ?? (node.isConstant ? "const" : "input")
            rows.append([node.id, op, format(evaluated.values[i]), evaluated.gradients[i].map(format) ?? "—"])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in c == 3 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// Tensors larger than this are shown by their shape (the numbers are in --json).
    static let maximumShown = 64

    static func format(_ t: Tensor) -> String {
        func number(_ x: Double) -> String { String(format: "%.6g", x == 0 ? 0 : x) }
        if t.count > maximumShown { return t.shape.map(String.init).joined(separator: "×") + " values (see --json)" }
        // One bracket per axis, as numpy prints it: (1, 2, 2) is [[[1, 2], [3, 4]]].
        func nested(_ start: Int, _ axis: Int) -> String {
            if axis == t.rank { return number(t.data[start]) }
            let n = t.shape[axis]
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            return "[" + (0..<n).map { nested(start + $0 * stride, axis + 1) }.joined(separator: ", ") + "]"
        }
        return nested(0, 0)
    }
}
