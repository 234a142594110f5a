/// Backpropagation shown the way it runs, one step per frame (`render --steps`, `--animate`):
///
/// - forward, one node at a time in evaluation order: its value appears on its out-edges
///   (an input's too; the output's on its trailing edge);
/// - backward, one edge at a time from the output back: first the seed on the output's
///   trailing edge, then each consumer's input edges (consumers in reverse evaluation
///   order, inputs in argument order): the edge's own gradient DG = UG × LG appears;
/// - a last frame with every label of the plain figure and nothing highlighted.
///
/// So a figure of N nodes and E edges has N + E + 2 frames (N + 1 when forward-only).
/// Each step names what to show (by the DOT edge ids of `LabelTable`), what to
/// highlight, and a caption with the step's arithmetic in the notes' vocabulary, its
/// numbers written as the figure writes them.
public struct StepPlan: Sendable {
    public enum Kind: Sendable, Equatable {
        /// The forward pass computes this node.
        case forward(node: Int)
        /// The backward pass sends a gradient along this graph edge (nil: the seed, on
        /// the output's trailing edge).
        case backward(edge: Int?)
        /// Every label, as in the plain figure.
        case end
    }

    public struct Step: Sendable, Equatable {
        public var kind: Kind
        /// The step's arithmetic, plain text (`exp: forward e^(−0.5) = 0.607`).
        public var caption: String
        /// DOT edge ids whose value label is shown.
        public var values: Set<String>
        /// DOT edge ids whose gradient label (and backward arrow) is shown.
        public var gradients: Set<String>
        /// The DOT name (spec id) of the highlighted node.
        public var activeNode: String?
        /// DOT edge ids of the highlighted edges.
        public var activeEdges: [String]
    }

    public var steps: [Step]

    public init(_ evaluated: EvaluatedGraph, options: FigureOptions) {
        let graph = evaluated.graph
        let numbers = options.numbers
        let text = CaptionText(numbers: numbers)
        func edgeIDs(from node: Int) -> [String] {
            graph.outEdges[node].map(LabelTable.edgeID) + (node == graph.output ? [LabelTable.outputEdgeID] : [])
        }
        func name(_ i: Int) -> String { graph.nodes[i].name ?? graph.nodes[i].id }
        func operand(_ i: Int) -> String { text.operand(evaluated.values[i]) }

        var steps: [Step] = []
        var values: Set<String> = []
        for i in graph.order {
            values.formUnion(edgeIDs(from: i))
            let node = graph.nodes[i]
            let value = text.tensor(evaluated.values[i])
            let caption: String
            if let op = node.op {
                let formula = Self.forward(op, node.attributes, node.inputs.map(operand), numbers: numbers)
                caption = "\(op.name): forward \(formula) = \(value)"
            } else if node.isAnonymous {
                caption = "constant \(value)"
            } else {
                caption = (node.isConstant ? "constant " : "input ") + "\(name(i)) = \(value)"
            }
            steps.append(Step(kind: .forward(node: i), caption: caption, values: values, gradients: [],
                              activeNode: node.id, activeEdges: edgeIDs(from: i)))
        }

        var gradients: Set<String> = []
        if !options.forwardOnly {
            let output = graph.output
            gradients.insert(LabelTable.outputEdgeID)
            steps.append(Step(kind: .backward(edge: nil),
                              caption: "seed: ∂L/∂\(name(output)) = \(text.tensor(graph.seed))",
                              values: values, gradients: gradients, activeNode: graph.outputNode.id,
                              activeEdges: [LabelTable.outputEdgeID]))
            for v in graph.order.reversed() {
                let consumer = graph.nodes[v]
                guard let op = consumer.op else { continue }
                for k in consumer.inputs.indices {
                    let e = graph.inEdge(v, k)
                    let u = graph.edges[e].from
                    let id = LabelTable.edgeID(e)
                    gradients.insert(id)
                    let caption: String
                    let target = graph.nodes[u].isAnonymous ? operand(u) : name(u)
                    if let dg = evaluated.edgeGradients[e] {
                        let ug = evaluated.gradients[v].map(text.tensor) ?? "0"
                        let head = "\(op.name): ∂L/∂\(target)" + (graph.outEdges[u].count > 1 ? " (via \(name(v)))" : "")
                        if let lg = Explanation.numericLocalGradient(edge: e, in: evaluated) {
                            caption = "\(head) = UG × LG = \(ug) × \(text.operand(lg)) = \(text.tensor(dg))"
                        } else {
                            let rule = Explanation.rule(for: op, attributes: consumer.attributes,
                                                        inputs: consumer.inputs.map(name), output: name(v))
                            let formula = rule.formulas[min(k, rule.formulas.count - 1)]
                            caption = "\(head) = \(formula) = \(text.tensor(dg))"
                        }
                    } else {
                        let what = graph.nodes[u].isAnonymous ? text.tensor(evaluated.values[u]) : name(u)
                        caption = "\(op.name): \(what) gets no gradient (" + (graph.nodes[u].isLeaf ? "a constant" : "not differentiable") + ")"
                    }
                    steps.append(Step(kind: .backward(edge: e), caption: caption, values: values, gradients: gradients,
                                      activeNode: consumer.id, activeEdges: [id]))
                }
            }
        }

        // The end: the plain figure, and what the pass has computed.
        var summary = ["\(name(graph.output)) = \(text.tensor(evaluated.values[graph.output]))"]
        if !options.forwardOnly {
            let inputs = graph.order.filter { graph.nodes[$0].isLeaf && evaluated.gradients[$0] != nil }
            for i in inputs.prefix(3) { summary.append("∂L/∂\(name(i)) = \(text.tensor(evaluated.gradients[i]!))") }
            if inputs.count > 3 { summary.append("…") }
        }
        steps.append(Step(kind: .end, caption: "done: " + summary.joined(separator: ", "), values: values,
                          gradients: gradients, activeNode: nil, activeEdges: []))
        self.steps = steps
    }

    /// An op's forward arithmetic with its operands written in: `0.5 × (−1)`, `e^(−0.5)`.
    static func forward(_ op: Op, _ attributes: Attributes, _ a: [String], numbers: NumberFormat) -> String {
        func at(_ k: Int) -> String { k < a.count ? a[k] : "?" }
        switch op.name {
        case "add": return a.joined(separator: " + ")
        case "sub": return "\(at(0)) − \(at(1))"
        case "mul": return "\(at(0)) × \(at(1))"
        case "div": return "\(at(0)) / \(at(1))"
        case "neg": return "−\(at(0))"
        case "reciprocal": return "1 / \(at(0))"
        case "exp": return "e^\(wrapped(at(0)))"
        case "log": return "ln\(wrapped(at(0)))"
        case "pow": return "\(at(0))^\(numbers.format(attributes["p"] ?? 1))"
        case "sigmoid": return "σ\(wrapped(at(0)))"
        case "tanh": return "tanh\(wrapped(at(0)))"
        case "relu": return "max(0, \(at(0)))"
        case "max": return "max(\(at(0)), \(at(1)))"
        case "matmul": return "\(at(0)) · \(at(1))"
        case "repeat": return "repeat(\(at(0)), \(numbers.format(attributes["times"] ?? 1))×, axis \(attributes.int("axis") ?? 0))"
        case "sum": return attributes.int("axis").map { "sum(\(at(0)), axis \($0))" } ?? "sum(\(at(0)))"
        case "softmax": return "softmax(\(at(0)))"
        case "cross_entropy": return "cross-entropy(\(at(0)), \(at(1)))"
        case "softmax_with_loss": return "cross-entropy(softmax(\(at(0))), \(at(1)))"
        default: return "\(op.name)(" + a.joined(separator: ", ") + ")"
        }
    }

    private static func wrapped(_ s: String) -> String { s.hasPrefix("(") && s.hasSuffix(")") ? s : "(\(s))" }
}

/// Numbers and tensors in captions, on one line: the figure's digits (`NumberFormat`),
/// small tensors written out, larger ones by their shape.
struct CaptionText {
    var numbers: NumberFormat

    func tensor(_ t: Tensor) -> String {
        switch t.rank {
        case 0: return numbers.format(t.scalar)
        case 1 where t.count <= 4: return "[" + t.data.map(numbers.format).joined(separator: ", ") + "]"
        case 2 where t.count <= 4 && t.count > 0:
            return "[" + t.rows.map { "[" + $0.map(numbers.format).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        default: return "(shape \(numbers.shape(t.shape)))"
        }
    }

    /// A tensor as an operand: a negative number in parentheses.
    func operand(_ t: Tensor) -> String {
        let s = tensor(t)
        return s.hasPrefix(NumberFormat.minus) ? "(\(s))" : s
    }
}
