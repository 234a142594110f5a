/// The text a reader sees when hovering over a figure's node or edge (Graphviz's
/// `tooltip`, shown by SVG viewers and browsers): every number at full Double precision,
/// as `eval --json` writes it, and for an edge the local gradient with its formula, as
/// `explain` writes it. Plain text; the DOT writer escapes it (`DOTEscape.tooltip`).
struct Tooltips {
    let evaluated: EvaluatedGraph
    let symbol: (Op, Attributes) -> String
    /// A forward-only figure's tooltips say nothing of gradients either.
    let forwardOnly: Bool
    private let full = NumberText.full

    init(_ evaluated: EvaluatedGraph, forwardOnly: Bool, symbol: @escaping (Op, Attributes) -> String) {
        self.evaluated = evaluated
        self.forwardOnly = forwardOnly
        self.symbol = symbol
    }

    private var graph: Graph { evaluated.graph }

    /// How a node is called: its id, or its value for an anonymous constant.
    private func display(_ i: Int) -> String {
        graph.nodes[i].isAnonymous ? full.tensor(evaluated.values[i]) : graph.nodes[i].id
    }

    private func gradientLine(_ t: Tensor?) -> String {
        "gradient: " + (t.map(full.tensor) ?? "none (a constant)")
    }

    /// `b: exp`, its value and its gradient.
    func node(_ i: Int) -> String {
        let node = graph.nodes[i]
        var head: String
        if let op = node.op {
            let text = node.label ?? symbol(op, node.attributes)
            head = "\(node.id): \(op.name)" + (text == op.name ? "" : " (\(text))")
        } else {
            head = "\(display(i)): " + (node.isConstant || node.isAnonymous ? "constant" : "input")
        }
        if i == graph.output { head += ", the output" }
        return ([head, "value: " + full.tensor(evaluated.values[i])] + (forwardOnly ? [] : [gradientLine(evaluated.gradients[i])])).joined(separator: "\n")
    }

    /// `x → a`, the value it carries, its own gradient and the local gradient.
    func edge(_ k: Int) -> String {
        let edge = graph.edges[k]
        var lines = ["\(display(edge.from)) → \(display(edge.to)) (input \(edge.input + 1) of \(graph.nodes[edge.to].op?.name ?? ""))",
                     "value: " + full.tensor(evaluated.values[edge.from])]
        if forwardOnly { return lines.joined(separator: "\n") }
        lines.append(gradientLine(evaluated.edgeGradients[k]))
        if let local = Explanation.localGradient(edge: k, in: evaluated, format: full) {
            let v = Explanation.symbol(edge.to, in: evaluated, format: full), u = Explanation.symbol(edge.from, in: evaluated, format: full)
            lines.append("local gradient ∂\(v)/∂\(u): \(local)")
        }
        return lines.joined(separator: "\n")
    }

    /// The output's trailing edge: its value and the seed.
    func output() -> String {
        (["\(display(graph.output)) (the output)", "value: " + full.tensor(evaluated.values[graph.output])]
         + (forwardOnly ? [] : ["seed ∂L/∂\(display(graph.output)): " + full.tensor(graph.seed)])).joined(separator: "\n")
    }
}
