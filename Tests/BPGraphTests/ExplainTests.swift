import Testing
@testable import BPGraph

private func explain(_ expression: String, _ values: [String], precision: Int = 4, color: Bool = false) throws -> String {
    let spec = try ExpressionSpec.commandLine(expression: expression, values: values)
    return Explanation(try EvaluatedGraph(Graph(spec)), precision: precision).render(color: color)
}

@Suite struct ExplainTests {
    @Test func sigmoidTableInTheNotesVocabulary() throws {
        #expect(try explain("y = 1 / (1 + exp(-x))", ["x=0.5"]) == """
            edge        value   UG       LG               DG
            x → a       0.5     −0.235   −1               0.235
            −1 → a      −1      −0.235   —                —
            a → b       −0.5    −0.3875  exp(a) = 0.6065  −0.235
            b → c       0.6065  −0.3875  1                −0.3875
            1 → c       1       −0.3875  —                —
            c → y       1.607   1        −y² = −0.3875    −0.3875
            y (output)  0.6225           seed             1

            """)
    }

    @Test func multiplicationSwapsItsInputs() throws {
        #expect(try explain("L = (x + y) * z", ["x=-2", "y=5", "z=-4"]) == """
            edge        value  UG  LG      DG
            x → a       −2     −4  1       −4
            y → a       5      −4  1       −4
            a → L       3      1   z = −4  −4
            z → L       −4     1   a = 3   3
            L (output)  −12        seed    1

            """)
    }

    @Test func matmulAndLossesAreDescribedHonestly() throws {
        let table = try explain("L = softmax_with_loss(x @ W, t)", ["x=[[1, 2]]", "W=[[1, 0], [0, 1]]", "t=[[0, 1]]"], precision: 3)
        #expect(table == """
            edge        value             UG                 LG                                      DG
            x → a       [[1, 2]]          [[0.269, −0.269]]  UG·Wᵀ                                   [[0.269, −0.269]]
            W → a       [[1, 0], [0, 1]]  [[0.269, −0.269]]  xᵀ·UG                                   [[0.269, −0.269], [0.538, −0.538]]
            a → L       [[1, 2]]          1                  (softmax(a) − t)/N = [[0.269, −0.269]]  [[0.269, −0.269]]
            t → L       [[0, 1]]          1                  —                                       —
            L (output)  0.313                                seed                                    1

            """)
    }

    @Test func colorOnlyWhenAsked() throws {
        let plain = try explain("y = x * 2", ["x=3"])
        #expect(!plain.contains("\u{1B}"))
        let colored = try explain("y = x * 2", ["x=3"], color: true)
        #expect(colored.contains("\u{1B}[31m2\u{1B}[0m"))  // UG of x → y, in red
        #expect(colored.contains("\u{1B}[1mUG\u{1B}[0m"))
        // Same text once the colours are removed.
        #expect(colored.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[1m", with: "")
                    .replacingOccurrences(of: "\u{1B}[0m", with: "") == plain)
    }

    @Test func everyOpHasALocalGradientRule() {
        for op in Op.all {
            let rule = Explanation.rule(for: op, attributes: Attributes(["p": 2, "times": 2, "axis": 0]),
                                        inputs: ["a", "b", "c"], output: "y")
            #expect(!rule.formulas.contains(Explanation.undocumented), "no LG rule for \(op.name)")
        }
    }

    /// For every elementwise op, the LG shown times the UG shown is the DG shown: the table
    /// agrees with the engine, per element, on every op's own test samples.
    @Test func localGradientTimesUpstreamIsTheEdgeGradient() throws {
        var rng = SplitMix64(seed: 7)
        for op in Op.all {
            let rule = Explanation.rule(for: op, attributes: Attributes(), inputs: ["a", "b"], output: "y")
            guard rule.isElementwise else { continue }
            for sample in op.samples where sample.shapes.allSatisfy({ $0 == sample.shapes[0] }) {
                let inputs = sample.shapes.map { shape in
                    Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Double(rng.next() % 1000) / 250 + 0.1 })
                }
                let output = try op.forward(inputs, sample.attributes)
                let upstream = output.map { _ in Double(rng.next() % 100) / 10 - 5 }
                let downstream = op.backward(inputs, output, upstream, sample.attributes)
                for k in inputs.indices {
                    let lg = try #require(Explanation.numericLocalGradient(op, inputs: inputs, output: output, attributes: sample.attributes,
                                                                           input: k, elementwise: true))
                    // Equal up to rounding: the op may group the product differently (p·xᵖ⁻¹·UG).
                    let product = lg.zip(upstream, *)
                    let ok = zip(product.data, downstream[k]!.data).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
                    #expect(ok, "\(op.name) in[\(k)]: \(product) vs \(downstream[k]!)")
                }
            }
        }
    }

    @Test func largeTensorsAreShownByShape() throws {
        let table = try explain("y = sum(x)", ["x=[[1,2,3],[4,5,6],[7,8,9]]"])
        #expect(table.contains("x → y       shape (3, 3)  1   1     shape (3, 3)"))
    }
}
