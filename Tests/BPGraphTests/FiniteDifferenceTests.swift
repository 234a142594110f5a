@testable import BPGraph
import Testing

/// Every op in the table, on every sample shape it declares, against central finite
/// differences. Adding an op to `Op.all` adds it here.
@Suite struct FiniteDifferenceTests {
    @Test(arguments: Op.all.map(\.name))
    func opMatchesFiniteDifferences(_ name: String) throws {
        let op = Op.byName[name]!
        #expect(!op.samples.isEmpty, "\(name) declares no samples")
        var rng = SplitMix64(seed: 42)
        for sample in op.samples {
            for _ in 0..<3 {
                let inputs = zip(sample.shapes, sample.domains).map { draw($0, $1, &rng) }
                let shape = try op.shape(sample.shapes, sample.attributes)
                let y = try op.forward(inputs, sample.attributes)
                #expect(y.shape == shape, "\(name): forward shape \(y.shape) vs inferred \(shape)")
                // Random upstream gradient; the objective is Σ UG ⊙ y.
                let upstream = Tensor(shape: y.shape, data: y.data.map { _ in uniform(-1.5, 1.5, &rng) })
                let grads = op.backward(inputs, y, upstream, sample.attributes)
                #expect(grads.count == inputs.count)
                for k in inputs.indices {
                    if op.nonDifferentiableInputs.contains(k) {
                        #expect(grads[k] == nil, "\(name): in[\(k)] should get no gradient")
                        continue
                    }
                    guard let g = grads[k] else { Issue.record("\(name): in[\(k)] got no gradient"); continue }
                    #expect(g.shape == inputs[k].shape, "\(name): gradient shape \(g.shape) for input \(inputs[k].shape)")
                    for i in 0..<inputs[k].count {
                        let h = 1e-6 * max(1, abs(inputs[k].data[i]))
                        var plus = inputs, minus = inputs
                        plus[k].data[i] += h
                        minus[k].data[i] -= h
                        let fp = try op.forward(plus, sample.attributes), fm = try op.forward(minus, sample.attributes)
                        var numeric = 0.0
                        for j in 0..<upstream.count { numeric += upstream.data[j] * (fp.data[j] - fm.data[j]) }
                        numeric /= 2 * h
                        let error = abs(g.data[i] - numeric) / max(1, abs(numeric))
                        #expect(error < 1e-6, "\(name) \(sample.shapes) in[\(k)][\(i)]: analytic \(g.data[i]) numeric \(numeric)")
                    }
                }
            }
        }
    }

    /// The finite-difference check itself must catch a wrong gradient.
    @Test func checkCatchesAWrongGradient() throws {
        let wrong = Op(name: "wrong", symbol: "w", arity: .exactly(1), samples: [],
                       shape: Op.sameShape, forward: { x, _ in x[0].map { $0 * $0 } },
                       backward: { x, _, g, _ in [x[0].zip(g) { a, u in u * a }] })  // should be 2a
        let spec = GraphSpec(file: "t", nodes: [NodeSpec(id: "x", value: Tensor(1.5))], output: "x")
        let graph = try Graph(spec).appending(Graph.Node(id: "y", kind: .op(wrong, Attributes()), inputs: [0], shape: [],
                                                         isAnonymous: false, place: "y"), output: true)
        let check = try GradientCheck(EvaluatedGraph(graph))
        #expect(!check.passes(tolerance: 1e-6))
        #expect(close(check.maxError, 1.5 / 3, 1e-6))
    }
}

extension FiniteDifferenceTests {
    /// A large output cannot resolve tiny differences; an exact gradient still passes.
    @Test func largeOutputsDoNotFailExactGradients() throws {
        let check = try GradientCheck(evaluate(#"{ "nodes": [ { "id": "x", "value": 0.5 }, { "id": "y", "op": "add", "in": ["x", 1000000] } ], "output": "y" }"#))
        #expect(check.passes(tolerance: 1e-6), "\(check.results)")
    }

    /// Big inputs are checked along random directions, which still catch a wrong gradient.
    @Test func directionalCheckOnBigInputs() throws {
        let values = (0..<200).map { Double($0 % 7) * 0.1 - 0.3 }
        let spec = #"{ "nodes": [ { "id": "x", "value": \#(values) }, { "id": "y", "op": "tanh", "in": ["x"] }, { "id": "s", "op": "sum", "in": ["y"] } ], "output": "s" }"#
        let right = try GradientCheck(evaluate(spec))
        #expect(right.results[0].directional && right.results[0].elements == 200)
        #expect(right.passes(tolerance: 1e-6), "\(right.results)")

        let wrong = Op(name: "wrong", symbol: "w", arity: .exactly(1), samples: [],
                       shape: Op.sameShape, forward: { x, _ in x[0].map { $0 * $0 } },
                       backward: { x, _, g, _ in [x[0].zip(g) { a, u in u * a }] })  // should be 2a
        let graph = try Graph(GraphSpec(file: "t", nodes: [NodeSpec(id: "x", value: Tensor(vector: values.map { $0 + 1 }))], output: "x"))
            .appending(Graph.Node(id: "y", kind: .op(wrong, Attributes()), inputs: [0], shape: [200], isAnonymous: false, place: "y"), output: true)
        #expect(graph.seed == Tensor.filled(1, shape: [200]) && graph.edges == [Graph.Edge(from: 0, to: 1, input: 0)])
        #expect(try !GradientCheck(EvaluatedGraph(graph)).passes(tolerance: 1e-3))
    }
}

extension FiniteDifferenceTests {
    /// A very wide graph is checked jointly (cost linear in its size); it still catches a wrong gradient.
    @Test func jointCheckOnWideGraphs() throws {
        let n = 20_000
        var nodes = (0..<n).map { NodeSpec(id: "x\($0)", value: Tensor(Double($0 % 10) * 0.01)) }
        nodes.append(NodeSpec(id: "s", op: "add", inputs: (0..<n).map { .node("x\($0)") }))
        let graph = try Graph(GraphSpec(file: "t", nodes: nodes, output: "s"))
        let right = try GradientCheck(EvaluatedGraph(graph))
        #expect(right.results.count == 1 && right.results[0].id == "all 20000 inputs")
        #expect(right.passes(tolerance: 1e-6), "\(right.results)")

        let wrong = Op(name: "wrong", symbol: "w", arity: .exactly(1), samples: [],
                       shape: Op.sameShape, forward: { x, _ in x[0].map { $0 * $0 } },
                       backward: { x, _, g, _ in [x[0].zip(g) { a, u in u * a }] })  // should be 2a
        let wrongGraph = graph.appending(Graph.Node(id: "y", kind: .op(wrong, Attributes()), inputs: [n], shape: [], isAnonymous: false, place: "y"), output: true)
        #expect(wrongGraph.outEdges[n] == [n] && wrongGraph.output == n + 1)
        #expect(try !GradientCheck(EvaluatedGraph(wrongGraph)).passes(tolerance: 1e-3))
    }
}

func uniform(_ lo: Double, _ hi: Double, _ rng: inout SplitMix64) -> Double {
    lo + (hi - lo) * Double(rng.next() >> 11) / Double(1 << 53)
}

/// A test input of `shape` from `domain`, kept away from kinks (0 for relu, ties for max).
func draw(_ shape: [Int], _ domain: Op.Sample.Domain, _ rng: inout SplitMix64) -> Tensor {
    let count = shape.reduce(1, *)
    switch domain {
    case .any:
        return Tensor(shape: shape, data: (0..<count).map { _ in
            let m = uniform(0.2, 2, &rng)
            return rng.next() % 2 == 0 ? m : -m
        })
    case .positive:
        return Tensor(shape: shape, data: (0..<count).map { _ in uniform(0.3, 2.5, &rng) })
    case .probabilities:
        let raw = Tensor(shape: shape, data: (0..<count).map { _ in uniform(-1, 1, &rng) })
        return Op.softmaxRows(raw)
    case .oneHot:
        let c = shape.last ?? 1
        var data = [Double](repeating: 0, count: count)
        for row in stride(from: 0, to: count, by: c) { data[row + Int(rng.next() % UInt64(c))] = 1 }
        return Tensor(shape: shape, data: data)
    case .classIndices(let classes):
        return Tensor(shape: shape, data: (0..<count).map { _ in Double(rng.next() % UInt64(classes)) })
    }
}
