/// Central finite differences for every non-constant input, compared with backpropagation.
public struct GradientCheck: Sendable {
    public struct Result: Sendable {
        public var id: String
        /// Largest error over the input's elements: |analytic − numeric| / max(1, |analytic|, |numeric|).
        public var maxError: Double
        public var elements: Int
    }

    public var results: [Result]
    /// Inputs that get no gradient (they feed only a loss's targets), skipped.
    public var skipped: [String]

    public var maxError: Double { results.map(\.maxError).max() ?? 0 }

    public func passes(tolerance: Double) -> Bool { results.allSatisfy { $0.maxError <= tolerance } }

    /// The objective is Σ seed ⊙ output, whose gradient backpropagation computes.
    public init(_ evaluated: EvaluatedGraph, relativeStep: Double = 1e-6) throws {
        let graph = evaluated.graph
        var results: [Result] = []
        var skipped: [String] = []
        // Nodes downstream of each input are re-evaluated; the rest keep their values.
        var consumers = [[Int]](repeating: [], count: graph.nodes.count)
        for edge in graph.edges { consumers[edge.from].append(edge.to) }
        let position = Dictionary(uniqueKeysWithValues: graph.order.enumerated().map { ($1, $0) })

        for (index, node) in graph.nodes.enumerated() {
            guard case .input(let x) = node.kind else { continue }
            guard let analytic = evaluated.gradients[index] else { skipped.append(node.id); continue }
            // The forward cone of this input, in evaluation order.
            var cone = Set<Int>()
            var stack = [index]
            while let n = stack.popLast() {
                for c in consumers[n] where cone.insert(c).inserted { stack.append(c) }
            }
            let coneOrder = cone.sorted { position[$0]! < position[$1]! }
            var values = evaluated.values
            func objective(_ perturbed: Tensor) throws -> Double {
                values[index] = perturbed
                try EvaluatedGraph.forward(graph, order: coneOrder, values: &values)
                let y = values[graph.output]
                var total = 0.0
                for i in 0..<y.count { total += graph.seed.data[i] * y.data[i] }
                return total
            }
            var worst = 0.0
            for i in 0..<x.count {
                let h = relativeStep * max(1, abs(x.data[i]))
                var plus = x, minus = x
                plus.data[i] += h
                minus.data[i] -= h
                let numeric = (try objective(plus) - objective(minus)) / (2 * h)
                let a = analytic.data[i]
                let error = abs(a - numeric) / max(1, abs(a), abs(numeric))
                worst = max(worst, error.isNaN ? .infinity : error)
            }
            results.append(Result(id: node.id, maxError: worst, elements: x.count))
        }
        self.results = results
        self.skipped = skipped
    }
}
