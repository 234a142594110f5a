@testable import BPGraph
import Testing

@Suite struct EngineTests {
    /// y = x·x: two edges from x, each carrying x·UG; x's gradient is their sum.
    @Test func squareHasTwoEdgesEachCarryingItsPart() throws {
        let g = try evaluate(#"{ "nodes": [ { "id": "x", "value": 3 }, { "id": "y", "op": "mul", "in": ["x", "x"] } ], "output": "y", "seed": 2 }"#)
        let edges = g.graph.edges.indices.filter { g.graph.edges[$0].to == 1 }
        #expect(edges.count == 2)
        for e in edges { #expect(g.edgeGradients[e]!.scalar == 6) }  // x · UG = 3 · 2
        #expect(g.gradient("x")!.scalar == 12)
    }

    /// A fan-out node whose edges carry different parts: x feeds a (×2) and b (exp).
    @Test func fanOutEdgesCarryTheirOwnParts() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "x", "value": 0.5 },
            { "id": "a", "op": "mul", "in": ["x", 2] }, { "id": "b", "op": "exp", "in": ["x"] },
            { "id": "s", "op": "add", "in": ["a", "b"] } ], "output": "s" }
        """)
        let viaA = g.edgeGradient(from: "x", to: "a")!.scalar, viaB = g.edgeGradient(from: "x", to: "b")!.scalar
        #expect(viaA == 2)
        #expect(close(viaB, exp(0.5)))
        #expect(close(g.gradient("x")!.scalar, 2 + exp(0.5)))
        #expect(g.edgeGradient(from: "x/in1", to: "a") == nil)   // no anonymous-constant edge by that name
        #expect(g.edgeGradient(from: "a/in1", to: "a") == nil)   // the constant 2: no gradient
        #expect(g.gradient("a/in1") == nil)
    }

    /// The repeat node sums its copies' gradients back; the sum node copies UG to each element.
    @Test func repeatAndSum() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "x", "value": [1, 2] },
            { "id": "r", "op": "repeat", "in": ["x"], "times": 3 },
            { "id": "s", "op": "sum", "in": ["r"], "axis": 1 } ],
          "output": "s", "seed": [1, 10, 100] }
        """)
        #expect(g.value("r")!.shape == [3, 2])
        #expect(close(g.value("s"), [3, 3, 3]))
        #expect(close(g.gradient("r"), [1, 1, 10, 10, 100, 100]))
        #expect(close(g.gradient("x"), [111, 111]))
    }

    /// Vector operands of matmul drop their axis, as in NumPy.
    @Test func matmulVectorShapes() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "x", "value": [1, 2] }, { "id": "W", "value": [[1, 2, 3], [4, 5, 6]] },
                     { "id": "y", "op": "matmul", "in": ["x", "W"] } ], "output": "y", "seed": [1, 0, -1] }
        """)
        #expect(g.value("y")!.shape == [3])
        #expect(close(g.value("y"), [9, 12, 15]))
        #expect(close(g.gradient("x"), [-2, -2]))           // dY·Wᵀ
        #expect(close(g.gradient("W"), [1, 0, -1, 2, 0, -2]))  // xᵀ·dY
    }

    /// max routes UG to the larger input and splits a tie equally; relu passes nothing at 0.
    @Test func maxTiesAndRelu() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "a", "value": [1, 5, 3] }, { "id": "b", "value": [2, 5, 1] },
            { "id": "m", "op": "max", "in": ["a", "b"] }, { "id": "r", "op": "relu", "in": ["c"] },
            { "id": "c", "value": [-1, 0, 2] }, { "id": "s", "op": "add", "in": ["m", "r"] } ],
          "output": "s", "seed": [4, 4, 4] }
        """)
        #expect(close(g.gradient("a"), [0, 2, 4]))
        #expect(close(g.gradient("b"), [4, 2, 0]))
        #expect(close(g.gradient("c"), [0, 0, 4]))
    }

    /// Loss targets get no gradient, constant or not; so does what feeds only them.
    @Test func targetsGetNoGradient() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "y", "value": [0.2, 0.8] }, { "id": "k", "value": [0, 1] },
            { "id": "t", "op": "mul", "in": ["k", 1] }, { "id": "L", "op": "cross_entropy", "in": ["y", "t"] } ],
          "output": "L" }
        """)
        #expect(g.gradient("t") == nil)
        #expect(g.gradient("k") == nil)
        #expect(g.edgeGradient(from: "t", to: "L") == nil)
        #expect(close(g.gradient("y"), [0, -1 / 0.8]))
    }

    /// A node the output does not depend on has a zero gradient, not none.
    @Test func unusedInputHasZeroGradient() throws {
        let g = try evaluate(#"{ "nodes": [ { "id": "x", "value": [1, 2] }, { "id": "u", "value": 3 }, { "id": "y", "op": "exp", "in": ["x"] } ], "output": "y" }"#)
        #expect(g.gradient("u") == Tensor(0))
    }

    /// Nodes may be written before their inputs; evaluation order follows the data.
    @Test func forwardReferences() throws {
        let g = try evaluate(#"{ "nodes": [ { "id": "y", "op": "exp", "in": ["x"] }, { "id": "x", "value": 0 } ], "output": "y" }"#)
        #expect(g.value("y")!.scalar == 1)
        #expect(g.gradient("x")!.scalar == 1)
    }

    /// YAML and JSON give the same graph.
    @Test func yamlMatchesJSON() throws {
        let yaml = try evaluate("""
        title: Sigmoid
        nodes:
          - { id: x, value: 0.5 }
          - { id: a, op: mul, in: [x, -1] }
          - { id: y, op: sigmoid, in: [a], label: "σ" }
        output: y
        """, file: "s.yaml")
        let json = try evaluate(#"{ "title": "Sigmoid", "nodes": [ { "id": "x", "value": 0.5 }, { "id": "a", "op": "mul", "in": ["x", -1] }, { "id": "y", "op": "sigmoid", "in": ["a"], "label": "σ" } ], "output": "y" }"#)
        #expect(EvalJSON.encode(yaml) == EvalJSON.encode(json))
        #expect(yaml.graph.title == "Sigmoid")
        // Quoted YAML numbers are strings, i.e. node references.
        #expect(errors("nodes:\n  - { id: x, value: '1' }\noutput: x", file: "q.yaml")
                == [#"q.yaml: nodes[0] "x": value: expected a number, found the string "1""#])
    }

    /// eval --json: the documented shape, numbers that round-trip.
    @Test func evalJSONFormat() throws {
        let g = try evaluate(#"{ "nodes": [ { "id": "x", "value": 0.5 }, { "id": "y", "op": "sigmoid", "in": ["x"] } ], "output": "y" }"#)
        let json = EvalJSON.encode(g)
        #expect(json.contains(#"{ "id": "x", "value": 0.5, "grad": 0.2350037122015945 }"#))
        #expect(json.contains(#"{ "from": "x", "to": "y", "input": 0, "value": 0.5, "grad": 0.2350037122015945 }"#))
        #expect(json.hasPrefix(#"{ "output": "y","#))
        // It parses back with our strict reader, and every number round-trips.
        let tree = try JSONReader.parse(json, file: "out.json")
        guard case .array(let nodes) = tree["nodes"]!.kind, case .number(let grad) = nodes[0]["grad"]!.kind else {
            Issue.record("bad structure"); return
        }
        #expect(grad == g.gradient("x")!.scalar)
    }

    /// A 20,000-node chain evaluates and backpropagates (nothing recursive on the graph).
    @Test func longChain() throws {
        var nodes = [#"{ "id": "n0", "value": 1 }"#]
        for i in 1..<20_000 { nodes.append(#"{ "id": "n\#(i)", "op": "mul", "in": ["n\#(i - 1)", 1.0001] }"#) }
        let g = try evaluate(#"{ "nodes": ["# + nodes.joined(separator: ",") + #"], "output": "n19999" }"#)
        #expect(close(g.gradient("n0")!.scalar, Foundation.pow(1.0001, 19_999), 1e-9))
        #expect(g.graph.nodes.count == 39_999)  // with the anonymous constants
    }

    /// Mutated specs go through decode → resolve → evaluate without a crash.
    @Test func fuzzedSpecsNeverCrash() throws {
        let seeds = [
            #"{ "nodes": [ { "id": "x", "value": [[1, 2], [3, 4]] }, { "id": "W", "value": [[0.5, -1], [2, 0.1]] }, { "id": "y", "op": "matmul", "in": ["x", "W"] }, { "id": "s", "op": "softmax", "in": ["y"] }, { "id": "t", "value": [0, 1], "const": true }, { "id": "L", "op": "cross_entropy", "in": ["s", "t"] } ], "output": "L" }"#,
            #"{ "nodes": [ { "id": "x", "value": 0.5 }, { "id": "a", "op": "mul", "in": ["x", -1] }, { "id": "b", "op": "exp", "in": ["a"] }, { "id": "c", "op": "add", "in": ["b", 1] }, { "id": "y", "op": "reciprocal", "in": ["c"] } ], "output": "y", "seed": 1 }"#,
            #"{ "nodes": [ { "id": "x", "value": [1, 2] }, { "id": "r", "op": "repeat", "in": ["x"], "times": 2, "axis": 1 }, { "id": "s", "op": "sum", "in": ["r"], "axis": 0 }, { "id": "p", "op": "pow", "in": ["s"], "p": 2 } ], "output": "p" }"#,
            "nodes:\n  - {id: a, value: [1, -2, 3]}\n  - {id: m, op: max, in: [a, 0]}\n  - {id: t, op: tanh, in: [m]}\n  - {id: L, op: softmax_with_loss, in: [t, 1]}\noutput: L\n",
        ]
        let alphabet = Array(#"{}[],:"0123456789-.eE abcdxyz"#.utf8) + Array("optimes axis value const in id".utf8)
        var rng = SplitMix64(seed: 7)
        var outcomes = (ok: 0, rejected: 0)
        for round in 0..<3_000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes.remove(at: i)
                case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                case 2: bytes[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                default:
                    let j = Int(rng.next() % UInt64(bytes.count))
                    bytes.swapAt(i, j)
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let file = round % seeds.count == 3 ? "f.yaml" : "f.json"
            do {
                let g = try evaluate(text, file: file)
                _ = EvalJSON.encode(g)
                outcomes.ok += 1
            } catch let error as SpecError {
                outcomes.rejected += 1
                for d in error.diagnostics {
                    #expect(d.description.hasPrefix(file), "\(d.description)")
                    #expect(!d.description.contains("\n"), "one line: \(d.description)")
                }
            }
        }
        #expect(outcomes.ok > 50 && outcomes.rejected > 500)
    }
}

import Foundation
