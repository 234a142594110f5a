/// Central finite differences for every non-constant input, compared with backpropagation.
///
/// Small inputs are checked element by element. An input of more than
/// `elementwiseLimit` elements is checked along a few fixed pseudo-random directions
/// instead (the directional derivative ∇f·v against (f(x + hv) − f(x − hv)) / 2h), so
/// that a 1000×1000 matrix costs six evaluations of its forward cone, not two million.
/// Differences below what Double rounding of the objective can resolve are not counted
/// as errors: an output near 10⁶ cannot show a difference of 10⁻⁶ exactly.
public struct GradientCheck: Sendable {
    public struct Result: Sendable {
        public var id: String
        /// Largest error: |analytic − numeric| (less the objective's rounding noise)
        /// / max(1, |analytic|, |numeric|).
        public var maxError: Double
        public var elements: Int
        /// Checked along random directions rather than element by element.
        public var directional: Bool
    }

    public var results: [Result]
    /// Inputs that get no gradient (they feed only a loss's targets), skipped.
    public var skipped: [String]

    public var maxError: Double { results.map(\.maxError).max() ?? 0 }

    public func passes(tolerance: Double) -> Bool { results.allSatisfy { $0.maxError <= tolerance } }

    public static let elementwiseLimit = 64
    static let directions = 3
    /// Work (evaluations × cone size, roughly) above which inputs are checked together.
    static let budget = 2e8

    /// Σ seed ⊙ output, and the size of its rounding error: each sum of n terms may be
    /// off by about n roundings of its magnitude, so the allowance grows with the terms
    /// summed on the way to the output (`summedTerms`) and in the objective itself.
    static func objective(_ graph: Graph, _ values: [Tensor], summedTerms: Double) -> (value: Double, noise: Double) {
        let y = values[graph.output]
        var total = 0.0, magnitude = 0.0
        for i in 0..<y.count {
            total += graph.seed.data[i] * y.data[i]
            magnitude += abs(graph.seed.data[i] * y.data[i])
        }
        return (total, magnitude * Double.ulpOfOne * (8 + summedTerms + Double(y.count)))
    }

    /// The longest chain of summed terms from any input to the output: along each path, a
    /// node adds the number of terms it sums per output element (a sum over n elements n,
    /// a matrix product its inner dimension, an elementwise op one).
    static func summedTerms(_ graph: Graph) -> Double {
        var terms = [Double](repeating: 0, count: graph.nodes.count)
        for index in graph.order {
            let node = graph.nodes[index]
            guard let op = node.op else { continue }
            let inputShapes = node.inputs.map { graph.nodes[$0].shape }
            let outputs = Double(max(1, node.shape.reduce(1, *)))
            let inputs = inputShapes.reduce(0.0) { $0 + Double($1.reduce(1, *)) }
            let work = op.work?(inputShapes, node.shape) ?? 0
            terms[index] = (node.inputs.map { terms[$0] }.max() ?? 0) + max(1, inputs / outputs, work / outputs)
        }
        return terms[graph.output]
    }

    /// The objective is Σ seed ⊙ output, whose gradient backpropagation computes.
    public init(_ evaluated: EvaluatedGraph, relativeStep: Double = 1e-6) throws {
        let graph = evaluated.graph
        var results: [Result] = []
        let skipped: [String]
        // Nodes downstream of each input are re-evaluated; the rest keep their values.
        var values = evaluated.values
        var rng = SplitMix64(seed: 0x5EED)
        let summedTerms = Self.summedTerms(graph)
        let inputs = graph.nodes.indices.filter { if case .input = graph.nodes[$0].kind { return evaluated.gradients[$0] != nil } else { return false } }
        skipped = graph.nodes.indices.filter { if case .input = graph.nodes[$0].kind { return evaluated.gradients[$0] == nil } else { return false } }
            .map { graph.nodes[$0].id }

        // Checking each input on its own costs its evaluations times the work in its
        // forward cone; for a very wide graph that grows with the square of its size.
        // Past a budget, all inputs are checked together along random directions.
        var evaluations = 0.0
        for index in inputs {
            let n = graph.nodes[index].shape.reduce(1, *)
            evaluations += Double(n > Self.elementwiseLimit ? 2 * Self.directions : 2 * n)
        }
        // A cone is at most the whole graph.
        let work = Double(graph.edges.count + graph.nodes.count)
        if evaluations * work > Self.budget {
            let all = graph.order.filter { graph.nodes[$0].op != nil }  // inputs keep their perturbed values
            var worst = 0.0
            for _ in 0..<Self.directions {
                var directions: [[Double]] = []
                var total = 0
                for index in inputs { total += evaluated.values[index].count }
                for index in inputs {
                    let x = evaluated.values[index]
                    directions.append((0..<x.count).map { _ in Double(rng.next() % 2 == 0 ? 1 : -1) / Double(total).squareRoot() })
                }
                func objective(_ t: Double) throws -> (Double, Double) {
                    for (k, index) in inputs.enumerated() {
                        var x = evaluated.values[index]
                        let scale = x.data.reduce(1) { max($0, abs($1)) }
                        for i in 0..<x.count { x.data[i] += t * scale * directions[k][i] }
                        values[index] = x
                    }
                    try EvaluatedGraph.forward(graph, order: all, values: &values)
                    return Self.objective(graph, values, summedTerms: summedTerms)
                }
                // Each input moves by h·scale·v: the directional derivative needs the same scale.
                var a = 0.0
                for (k, index) in inputs.enumerated() {
                    let x = evaluated.values[index]
                    let scale = x.data.reduce(1) { max($0, abs($1)) }
                    for i in 0..<x.count { a += evaluated.gradients[index]!.data[i] * scale * directions[k][i] }
                }
                // A larger step: summing many inputs carries more rounding than one does.
                let h = relativeStep * 100
                let (fp, np) = try objective(h), (fm, nm) = try objective(-h)
                let numeric = (fp - fm) / (2 * h)
                let error = max(0, abs(a - numeric) - (np + nm) / (2 * h)) / max(1, abs(a), abs(numeric))
                worst = max(worst, error.isNaN ? .infinity : error)
            }
            self.results = [Result(id: "all \(inputs.count) inputs", maxError: worst,
                                   elements: inputs.reduce(0) { $0 + evaluated.values[$1].count }, directional: true)]
            self.skipped = skipped
            return
        }

        for index in inputs {
            let node = graph.nodes[index]
            guard case .input(let x) = node.kind, let analytic = evaluated.gradients[index] else { continue }
            // The forward cone of this input, in evaluation order.
            var inCone = Set<Int>()
            var stack = [index]
            while let n = stack.popLast() {
                for e in graph.outEdges[n] where inCone.insert(graph.edges[e].to).inserted { stack.append(graph.edges[e].to) }
            }
            let cone = inCone.sorted { graph.orderPosition[$0] < graph.orderPosition[$1] }
            /// The objective with this input replaced, and the size of its rounding error.
            func objective(_ perturbed: Tensor) throws -> (value: Double, noise: Double) {
                values[index] = perturbed
                try EvaluatedGraph.forward(graph, order: cone, values: &values)
                return Self.objective(graph, values, summedTerms: summedTerms)
            }
            func compare(_ a: Double, along direction: [Double], step h: Double) throws -> Double {
                var plus = x, minus = x
                for i in 0..<x.count {
                    plus.data[i] += h * direction[i]
                    minus.data[i] -= h * direction[i]
                }
                let (fp, np) = try objective(plus), (fm, nm) = try objective(minus)
                let numeric = (fp - fm) / (2 * h)
                let noise = (np + nm) / (2 * h)
                let error = max(0, abs(a - numeric) - noise) / max(1, abs(a), abs(numeric))
                return error.isNaN ? .infinity : error
            }
            var worst = 0.0
            let scale = x.data.reduce(1) { max($0, abs($1)) }
            let directional = x.count > Self.elementwiseLimit
            if directional {
                for _ in 0..<Self.directions {
                    let v = (0..<x.count).map { _ in Double(rng.next() % 2 == 0 ? 1 : -1) / Double(x.count).squareRoot() }
                    var a = 0.0
                    for i in 0..<x.count { a += analytic.data[i] * v[i] }
                    worst = max(worst, try compare(a, along: v, step: relativeStep * scale))
                }
            } else {
                var unit = [Double](repeating: 0, count: x.count)
                for i in 0..<x.count {
                    unit[i] = 1
                    worst = max(worst, try compare(analytic.data[i], along: unit, step: relativeStep * max(1, abs(x.data[i]))))
                    unit[i] = 0
                }
            }
            values[index] = x
            try EvaluatedGraph.forward(graph, order: cone, values: &values)
            results.append(Result(id: node.id, maxError: worst, elements: x.count, directional: directional))
        }
        self.results = results
        self.skipped = skipped
    }
}
