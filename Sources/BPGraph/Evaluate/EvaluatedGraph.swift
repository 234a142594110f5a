/// A graph with every value computed forward and every gradient propagated back.
///
/// Each edge u → v carries its own gradient: the part of ∂L/∂u that flows back through
/// v (DG = UG × LG for that argument). A node's gradient is the sum over its out-edges,
/// plus the seed at the output. Constants, the loss ops' targets, and whatever feeds
/// only those get `nil`.
public struct EvaluatedGraph: Sendable {
    public let graph: Graph
    public let values: [Tensor]
    public let gradients: [Tensor?]
    public let edgeGradients: [Tensor?]

    public var output: Int { graph.output }

    /// Evaluates forward, then backpropagates from the output with the graph's seed.
    public init(_ graph: Graph) throws {
        self.graph = graph
        var values = [Tensor](repeating: Tensor(0), count: graph.nodes.count)
        try Self.forward(graph, order: graph.order, values: &values)

        // Backward, in reverse evaluation order. `upstream[v]` accumulates ∂L/∂v.
        var upstream = [Tensor?](repeating: nil, count: graph.nodes.count)
        var edgeGradients = [Tensor?](repeating: nil, count: graph.edges.count)
        upstream[graph.output] = graph.seed

        for index in graph.order.reversed() {
            let node = graph.nodes[index]
            guard case .op(let op, let attributes) = node.kind, let ug = upstream[index] else { continue }
            let inputs = node.inputs.map { values[$0] }
            let downstream = op.backward(inputs, values[index], ug, attributes)
            for (k, from) in node.inputs.enumerated() {
                let e = graph.inEdge(index, k)
                guard !graph.nodes[from].isConstant, let dg = downstream[k] else { continue }
                if !dg.isFinite {
                    throw SpecError(Diagnostic(file: graph.file, place: node.place,
                                               message: "\(op.name): the gradient for in[\(k)] is not finite (\(Self.firstNonFinite(dg)))"))
                }
                edgeGradients[e] = dg
                if let existing = upstream[from] {
                    upstream[from] = existing.zip(dg, +)
                } else {
                    upstream[from] = dg
                }
            }
        }

        // Nodes the output does not depend on get a zero gradient; constants and nodes
        // whose every out-edge carries no gradient (loss targets) get none.
        var gradients = upstream
        let reaches = Self.reachesDifferentiableUse(graph)
        for index in graph.nodes.indices where gradients[index] == nil {
            let node = graph.nodes[index]
            if node.isConstant { continue }
            let outs = graph.outEdges[index]
            let blocked = !outs.isEmpty && outs.allSatisfy { e in
                let edge = graph.edges[e]
                return graph.nodes[edge.to].op!.nonDifferentiableInputs.contains(edge.input) || !reaches[edge.to]
            }
            if !blocked { gradients[index] = Tensor.zeros(node.shape) }
        }
        // Edges out of a node with a (zero) gradient that nothing flowed back through carry zeros.
        for (e, edge) in graph.edges.enumerated() where edgeGradients[e] == nil {
            if gradients[edge.from] != nil, gradients[edge.to] != nil,
               !graph.nodes[edge.to].op!.nonDifferentiableInputs.contains(edge.input) {
                edgeGradients[e] = Tensor.zeros(graph.nodes[edge.from].shape)
            }
        }
        self.values = values
        self.gradients = gradients
        self.edgeGradients = edgeGradients
    }

    /// Computes the values of the nodes in `order` (a topologically ordered subset),
    /// reading the others from `values`.
    static func forward(_ graph: Graph, order: [Int], values: inout [Tensor]) throws {
        for index in order {
            let node = graph.nodes[index]
            switch node.kind {
            case .input(let v), .constant(let v):
                values[index] = v
            case .op(let op, let attributes):
                let inputs = node.inputs.map { values[$0] }
                let y: Tensor
                do {
                    y = try op.forward(inputs, attributes)
                } catch {
                    throw SpecError(Diagnostic(file: graph.file, place: node.place, message: "\(op.name): \(error.message)"))
                }
                if !y.isFinite {
                    throw SpecError(Diagnostic(file: graph.file, place: node.place,
                                               message: "\(op.name) gives a non-finite value (\(Self.firstNonFinite(y))) for these inputs"))
                }
                values[index] = y
            }
        }
    }

    /// For each node, whether some path from it along differentiable uses reaches the
    /// output or a node nothing uses; false when every path ends in a loss's target
    /// slot. One pass in reverse evaluation order (every consumer comes later in it).
    private static func reachesDifferentiableUse(_ graph: Graph) -> [Bool] {
        var reaches = [Bool](repeating: false, count: graph.nodes.count)
        for n in graph.order.reversed() {
            let outs = graph.outEdges[n]
            if n == graph.output || outs.isEmpty { reaches[n] = true; continue }
            reaches[n] = outs.contains { e in
                let edge = graph.edges[e]
                return !graph.nodes[edge.to].op!.nonDifferentiableInputs.contains(edge.input) && reaches[edge.to]
            }
        }
        return reaches
    }

    private static func firstNonFinite(_ t: Tensor) -> String {
        let x = t.data.first { !$0.isFinite } ?? 0
        return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞")
    }

    // MARK: Convenience

    public func value(_ id: String) -> Tensor? { graph.index(of: id).map { values[$0] } }
    public func gradient(_ id: String) -> Tensor? { graph.index(of: id).flatMap { gradients[$0] } }
    /// The gradient on the edge from `from` into argument `input` of `to`.
    public func edgeGradient(from: String, to: String, input: Int? = nil) -> Tensor? {
        guard let f = graph.index(of: from), let t = graph.index(of: to) else { return nil }
        guard let e = graph.outEdges[f].first(where: { graph.edges[$0].to == t && (input == nil || graph.edges[$0].input == input) }) else { return nil }
        return edgeGradients[e]
    }
}
