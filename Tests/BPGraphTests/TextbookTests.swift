import BPGraph
import Foundation
import Testing

/// Hand-checked numbers from the books and course notes.
@Suite struct TextbookTests {
    /// Deep Learning from Scratch, ch. 5: 2 apples at 100 with 10 % tax.
    @Test func appleExample() throws {
        let g = try evaluate("""
        { "nodes": [
            { "id": "apple", "value": 100 },
            { "id": "count", "value": 2 },
            { "id": "tax", "value": 1.1 },
            { "id": "price", "op": "mul", "in": ["apple", "count"] },
            { "id": "total", "op": "mul", "in": ["price", "tax"] } ],
          "output": "total" }
        """)
        #expect(close(g.value("total")!.scalar, 220))
        #expect(close(g.gradient("apple")!.scalar, 2.2))
        #expect(close(g.gradient("count")!.scalar, 110))
        #expect(close(g.gradient("tax")!.scalar, 200))
        #expect(close(g.gradient("price")!.scalar, 1.1))
    }

    /// CS231n backprop notes: f = (x + y)·z at x = −2, y = 5, z = −4.
    @Test func cs231nAddMultiply() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "x", "value": -2 }, { "id": "y", "value": 5 }, { "id": "z", "value": -4 },
                     { "id": "q", "op": "add", "in": ["x", "y"] },
                     { "id": "f", "op": "mul", "in": ["q", "z"] } ], "output": "f" }
        """)
        #expect(g.value("f")!.scalar == -12)
        #expect(g.gradient("x")!.scalar == -4)
        #expect(g.gradient("y")!.scalar == -4)
        #expect(g.gradient("z")!.scalar == 3)
    }

    /// The notes' sigmoid chain (×−1, exp, +1, /) at x = 0.5: dy/dx = y(1 − y).
    @Test func sigmoidChain() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "x", "value": 0.5 },
            { "id": "a", "op": "mul", "in": ["x", -1] }, { "id": "b", "op": "exp", "in": ["a"] },
            { "id": "c", "op": "add", "in": ["b", 1] }, { "id": "y", "op": "reciprocal", "in": ["c"] } ],
          "output": "y" }
        """)
        let y = 1 / (1 + exp(-0.5))
        #expect(close(g.value("y")!.scalar, y))
        #expect(close(g.gradient("x")!.scalar, y * (1 - y)))
        // The notes' intermediate gradients: / gives −y², exp multiplies by exp(−x), × flips the sign.
        #expect(close(g.gradient("c")!.scalar, -y * y))
        #expect(close(g.gradient("b")!.scalar, -y * y))
        #expect(close(g.gradient("a")!.scalar, -y * y * exp(-0.5)))
        #expect(g.gradient("a/in1") == nil)
        // The sigmoid op agrees with the chain.
        let s = try evaluate(#"{ "nodes": [ { "id": "x", "value": 0.5 }, { "id": "y", "op": "sigmoid", "in": ["x"] } ], "output": "y" }"#)
        #expect(close(s.value("y")!.scalar, y))
        #expect(close(s.gradient("x")!.scalar, g.gradient("x")!.scalar))
    }

    /// CS231n's 2-D sigmoid neuron: f = σ(w0·x0 + w1·x1 + w2) with w = (2, −3, −3), x = (−1, −2).
    @Test func cs231nNeuron() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "w0", "value": 2 }, { "id": "x0", "value": -1 }, { "id": "w1", "value": -3 },
            { "id": "x1", "value": -2 }, { "id": "w2", "value": -3 },
            { "id": "p0", "op": "mul", "in": ["w0", "x0"] }, { "id": "p1", "op": "mul", "in": ["w1", "x1"] },
            { "id": "s", "op": "add", "in": ["p0", "p1", "w2"] }, { "id": "f", "op": "sigmoid", "in": ["s"] } ],
          "output": "f" }
        """)
        #expect(close(g.value("f")!.scalar, 0.7310585786300049))
        let expected: [(String, Double)] = [("w0", -0.19661193324148185), ("x0", 0.39322386648296370),
                                            ("w1", -0.39322386648296370), ("x1", -0.58983579972444560),
                                            ("w2", 0.19661193324148185)]
        for (id, grad) in expected { #expect(close(g.gradient(id)!.scalar, grad), "\(id)") }
    }

    /// Softmax with loss: the gradient is (y − t)/N, for one-hot targets and for class indices.
    @Test func softmaxWithLossGradient() throws {
        let scores: [[Double]] = [[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]]
        for targets in ["[[0, 0, 1], [1, 0, 0]]", "[2, 0]"] {
            let g = try evaluate("""
            { "nodes": [ { "id": "a", "value": [[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]] },
                { "id": "t", "value": \(targets), "const": true },
                { "id": "L", "op": "softmax_with_loss", "in": ["a", "t"] } ], "output": "L" }
            """)
            let oneHot: [[Double]] = [[0, 0, 1], [1, 0, 0]]
            var expected: [Double] = []
            var loss = 0.0
            for (row, t) in zip(scores, oneHot) {
                let e = row.map { exp($0) }
                let total = e.reduce(0, +)
                let y = e.map { $0 / total }
                expected += zip(y, t).map { ($0 - $1) / 2 }
                loss -= zip(y, t).map { $1 * log($0) }.reduce(0, +) / 2
            }
            #expect(close(g.gradient("a"), expected, 1e-12), "targets \(targets)")
            #expect(close(g.value("L")!.scalar, loss))
            #expect(g.gradient("t") == nil)
        }
    }

    /// The decomposed softmax of the book's appendix matches the fused op, including the
    /// exp node whose two paths (numerator and denominator) add up.
    @Test func decomposedSoftmaxMatchesFused() throws {
        let fused = try evaluate("""
        { "nodes": [ { "id": "a", "value": [1.0, 2.0, 0.5] }, { "id": "t", "value": [0, 1, 0], "const": true },
                     { "id": "L", "op": "softmax_with_loss", "in": ["a", "t"] } ], "output": "L" }
        """)
        let split = try evaluate("""
        { "nodes": [ { "id": "a", "value": [1.0, 2.0, 0.5] }, { "id": "t", "value": [0, 1, 0], "const": true },
            { "id": "e", "op": "exp", "in": ["a"] }, { "id": "S", "op": "sum", "in": ["e"] },
            { "id": "r", "op": "reciprocal", "in": ["S"] }, { "id": "y", "op": "mul", "in": ["e", "r"] },
            { "id": "ly", "op": "log", "in": ["y"] }, { "id": "tl", "op": "mul", "in": ["t", "ly"] },
            { "id": "s", "op": "sum", "in": ["tl"] }, { "id": "L", "op": "neg", "in": ["s"] } ], "output": "L" }
        """)
        #expect(close(split.value("L")!.scalar, fused.value("L")!.scalar))
        #expect(close(split.gradient("a"), fused.gradient("a")!.data, 1e-12))
        // e feeds S and y: its gradient is the sum of the two edges' parts.
        let viaS = split.edgeGradient(from: "e", to: "S")!, viaY = split.edgeGradient(from: "e", to: "y")!
        #expect(close(split.gradient("e"), viaS.zip(viaY, +).data))
        #expect(viaS.data != viaY.data)
    }

    /// Affine: Y = X·W + B on a batch; dW = Xᵀ·dY, dB sums over the batch.
    @Test func affineBatch() throws {
        let g = try evaluate("""
        { "nodes": [ { "id": "X", "value": [[1, 2], [3, 4], [5, 6]] }, { "id": "W", "value": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] },
            { "id": "B", "value": [1, 2, 3] },
            { "id": "XW", "op": "matmul", "in": ["X", "W"] }, { "id": "Y", "op": "add", "in": ["XW", "B"] } ],
          "output": "Y", "seed": [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }
        """)
        #expect(close(g.value("Y"), [1.9, 3.2, 4.5, 2.9, 4.6, 6.3, 3.9, 6.0, 8.1]))
        #expect(close(g.gradient("B"), [1, 1, 1]))
        #expect(close(g.gradient("W"), [1, 3, 5, 2, 4, 6]))
        // dX = dY·Wᵀ = Wᵀ for dY = I.
        #expect(close(g.gradient("X"), [0.1, 0.4, 0.2, 0.5, 0.3, 0.6]))
        #expect(g.gradient("X")!.shape == [3, 2])
    }
}
