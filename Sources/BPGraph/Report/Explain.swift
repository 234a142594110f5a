import Foundation

/// `bpgraph explain`: one row per edge in the notes' vocabulary. For an edge u → v:
/// the forward value of u; UG, the upstream gradient ∂L/∂v at the consumer; LG, the
/// local gradient ∂v/∂u; and DG = UG × LG, the gradient the edge carries back to u.
///
/// LG is a number wherever it is one: per element for the elementwise ops, and for any op
/// whose output is a scalar (the losses, a full sum), where it is ∂v/∂u for every element of u.
/// Elsewhere (matmul, softmax, repeat, a sum along an axis) the local gradient is a Jacobian
/// that nobody writes out, so LG says how DG is formed from UG instead, as the notes do
/// (`UG·Wᵀ`).
public struct Explanation: Sendable {
    public struct Row: Sendable, Equatable {
        public var edge: String
        public var value: String
        public var upstream: String
        public var local: String
        public var downstream: String

        public var cells: [String] { [edge, value, upstream, local, downstream] }
    }

    public var rows: [Row]

    public static let header = Row(edge: "edge", value: "value", upstream: "UG", local: "LG", downstream: "DG")

    public init(_ evaluated: EvaluatedGraph, precision: Int = 4) {
        let graph = evaluated.graph
        let format = NumberText(precision: precision)
        /// How a node is called in the table: its id, or its value for an anonymous constant.
        func display(_ index: Int) -> String {
            let node = graph.nodes[index]
            return node.isAnonymous ? format.tensor(evaluated.values[index]) : node.id
        }

        var rows: [Row] = []
        for (e, edge) in graph.edges.enumerated() {
            rows.append(Row(edge: "\(display(edge.from)) → \(display(edge.to))",
                            value: format.tensor(evaluated.values[edge.from]),
                            upstream: evaluated.gradients[edge.to].map(format.tensor) ?? "—",
                            local: Self.localGradient(edge: e, in: evaluated, format: format) ?? "—",
                            downstream: evaluated.edgeGradients[e].map(format.tensor) ?? "—"))
        }
        // The output's trailing edge: its value, and the seed ∂L/∂output flowing back into it.
        rows.append(Row(edge: "\(display(graph.output)) (output)", value: format.tensor(evaluated.values[graph.output]),
                        upstream: "", local: "seed", downstream: format.tensor(graph.seed)))
        self.rows = rows
    }

    /// How a node is called inside a formula: its name, its id, or a constant's value.
    static func symbol(_ index: Int, in evaluated: EvaluatedGraph, format: NumberText) -> String {
        let node = evaluated.graph.nodes[index]
        if node.isAnonymous {
            let text = format.tensor(evaluated.values[index])
            return text.hasPrefix("−") || text.hasPrefix("-") ? "(\(text))" : text
        }
        return node.name ?? node.id
    }

    /// The local gradient ∂v/∂u of edge `e` (u → v) as the notes write it: the formula and
    /// its number (`exp(a) = 0.6065`), the number alone where the formula is one (`1`), or
    /// for a Jacobian nobody writes out, how DG is formed from UG (`UG·Wᵀ`). Nil for an
    /// edge that carries no gradient.
    static func localGradient(edge e: Int, in evaluated: EvaluatedGraph, format: NumberText) -> String? {
        let graph = evaluated.graph
        let edge = graph.edges[e]
        guard evaluated.edgeGradients[e] != nil else { return nil }
        let consumer = graph.nodes[edge.to]
        guard let op = consumer.op else { return nil }
        let rule = Self.rule(for: op, attributes: consumer.attributes,
                             inputs: consumer.inputs.map { symbol($0, in: evaluated, format: format) },
                             output: consumer.name ?? consumer.id)
        let formula = rule.formulas[min(edge.input, rule.formulas.count - 1)]
        guard let numeric = numericLocalGradient(edge: e, in: evaluated) else { return formula }
        // A constant local gradient (1 for +, a constant factor for ×) is written once, not as a tensor of copies.
        let uniform = numeric.data.allSatisfy { $0 == numeric.data[0] } ? format.number(numeric.data[0]) : nil
        let number = format.tensor(numeric)
        // A rule written in terms of UG (matmul) says how DG is formed; here LG itself is the number.
        if formula.isEmpty || formula.contains("UG") || formula == number || formula == "(\(number))" {
            return number
        } else if let uniform, formula == uniform || formula == "(\(uniform))" {
            return uniform
        }
        return "\(formula) = \(number)"
    }

    /// The local gradient of edge `e` as numbers, where it is numbers (see below).
    static func numericLocalGradient(edge e: Int, in evaluated: EvaluatedGraph) -> Tensor? {
        let graph = evaluated.graph
        let edge = graph.edges[e]
        let consumer = graph.nodes[edge.to]
        guard let op = consumer.op else { return nil }
        let rule = Self.rule(for: op, attributes: consumer.attributes, inputs: consumer.inputs.map { _ in "" }, output: "")
        return numericLocalGradient(op, inputs: consumer.inputs.map { evaluated.values[$0] }, output: evaluated.values[edge.to],
                                    attributes: consumer.attributes, input: edge.input, elementwise: rule.isElementwise)
    }

    /// The table, columns aligned; gradients (UG, DG) in red when `color` is set.
    public func render(color: Bool) -> String {
        let all = [Self.header] + rows
        let count = Self.header.cells.count
        let widths = (0..<count).map { c in all.map { $0.cells[c].count }.max() ?? 0 }
        var out = ""
        for (r, row) in all.enumerated() {
            var line = ""
            for (c, text) in row.cells.enumerated() {
                let isLast = c == count - 1
                let padding = isLast ? "" : String(repeating: " ", count: widths[c] - text.count + 2)
                var styled = text
                if color && !text.isEmpty {
                    if r == 0 { styled = "\u{1B}[1m\(text)\u{1B}[0m" }
                    else if c == 2 || c == 4 { styled = "\u{1B}[31m\(text)\u{1B}[0m" }
                }
                line += styled + padding
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    // MARK: Local gradients

    struct Rule {
        /// One formula per input (the last repeats for n-ary ops).
        var formulas: [String]
        /// Whether the op applies a function element by element (with broadcasting).
        var isElementwise: Bool
    }

    /// The local gradient of every op, written with its inputs' and output's symbols.
    /// `ExplainTests` checks that every op in `Op.all` has one.
    static func rule(for op: Op, attributes: Attributes, inputs a: [String], output y: String) -> Rule {
        func elementwise(_ formulas: String...) -> Rule { Rule(formulas: formulas, isElementwise: true) }
        func structural(_ formulas: String...) -> Rule { Rule(formulas: formulas, isElementwise: false) }
        let format = NumberText(precision: 4)
        switch op.name {
        case "add": return elementwise("1")
        case "sub": return elementwise("1", "−1")
        case "mul": return elementwise(a[1], a[0])
        case "div": return elementwise("1/\(a[1])", "−\(a[0])/\(a[1])²")
        case "neg": return elementwise("−1")
        case "reciprocal": return elementwise("−\(y)²")
        case "exp": return elementwise("exp(\(a[0]))")
        case "log": return elementwise("1/\(a[0])")
        case "pow":
            let p = attributes["p"] ?? 1
            let q = p - 1
            let power = q == 0 ? "" : (q == 1 ? a[0] : "\(a[0])^\(q < 0 ? "(" + format.number(q) + ")" : format.number(q))")
            let coefficient = format.number(p)
            return elementwise(power.isEmpty ? coefficient : (p == 1 ? power : "\(coefficient)·\(power)"))
        case "sigmoid": return elementwise("\(y)(1−\(y))")
        case "tanh": return elementwise("1−\(y)²")
        case "relu": return elementwise("1 where \(a[0]) > 0, else 0")
        case "max": return elementwise("1 where \(a[0]) > \(a[1]) (½ on a tie)", "1 where \(a[1]) > \(a[0]) (½ on a tie)")
        case "matmul": return structural("UG·\(a[1])ᵀ", "\(a[0])ᵀ·UG")
        case "repeat": return structural("UG summed over axis \(attributes.int("axis") ?? 0)")
        case "sum":
            if let axis = attributes.int("axis") { return structural("UG copied along axis \(axis)") }
            return structural("1")
        case "softmax": return structural("\(y)⊙(UG − Σ UG⊙\(y)) per row")
        case "cross_entropy": return structural("−\(a[1])/(N·\(a[0]))", "")
        case "softmax_with_loss": return structural("(softmax(\(a[0])) − \(a[1]))/N", "")
        default: return structural(Self.undocumented)
        }
    }

    /// For an op added without a rule here (a test catches it): honest, if unhelpful.
    static let undocumented = "∂out/∂in"

    /// ∂output/∂input as numbers: per element (over the broadcast shape) for an elementwise op,
    /// or for every element of the input when the output is a scalar. Nil otherwise.
    /// Computed with the op's own backward and a unit upstream gradient, so it is the
    /// engine's local gradient, not a second implementation of it.
    static func numericLocalGradient(_ op: Op, inputs: [Tensor], output: Tensor, attributes: Attributes,
                                     input: Int, elementwise: Bool) -> Tensor? {
        if elementwise {
            let expanded = inputs.map { Broadcast.expand($0, to: output.shape) }
            return op.backward(expanded, output, Tensor.filled(1, shape: output.shape), attributes)[input]
        }
        if output.isScalar {
            return op.backward(inputs, output, Tensor(1), attributes)[input]
        }
        return nil
    }
}
