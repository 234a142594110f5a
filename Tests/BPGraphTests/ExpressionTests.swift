import Testing
@testable import BPGraph

/// Evaluates a spec's text and returns `eval --json`.
private func evalJSON(_ text: String, file: String) throws -> String {
    EvalJSON.encode(try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: file))))
}

/// The lowered nodes of an expression, one line each: `id = op(inputs) {attributes} "label"`.
private func lowered(_ expression: String, _ values: [(String, Tensor)]) throws -> [String] {
    let spec = try ExpressionSpec.spec(expression: expression, values: values.map { (name: $0.0, value: $0.1) }, file: "f.json")
    return spec.nodes.map { node in
        guard let op = node.op else { return "\(node.id) = input" }
        let inputs = node.inputs.map { input -> String in
            switch input {
            case .node(let id): return id
            case .constant(let t): return EvalJSON.tensor(t)
            }
        }
        var line = "\(node.id) = \(op)(\(inputs.joined(separator: ", ")))"
        for (key, value) in node.attributes.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        if let label = node.label { line += " \"\(label)\"" }
        return line
    }
}

private func value(_ expression: String, _ values: [(String, Tensor)]) throws -> Tensor {
    let spec = try ExpressionSpec.spec(expression: expression, values: values.map { (name: $0.0, value: $0.1) }, file: "f.json")
    let evaluated = try EvaluatedGraph(Graph(spec))
    return evaluated.values[evaluated.output]
}

/// The message of the single error an expression spec file gives.
private func errorMessage(_ text: String, file: String = "f.json") -> String {
    do {
        _ = try Graph(SpecDecoder.decode(text, file: file))
        return "no error"
    } catch let error as SpecError {
        return error.description
    } catch {
        return "unexpected error \(error)"
    }
}

@Suite struct ExpressionLoweringTests {
    static let sigmoidNodes = """
        {"nodes":[{"id":"x","value":0.5},{"id":"a","op":"mul","in":["x",-1]},{"id":"b","op":"exp","in":["a"]},\
        {"id":"c","op":"add","in":["b",1]},{"id":"y","op":"reciprocal","in":["c"],"label":"/"}],"output":"y"}
        """

    @Test func sigmoidExpressionEvaluatesLikeTheNodeList() throws {
        let expected = try evalJSON(Self.sigmoidNodes, file: "sigmoid.json")
        let json = try evalJSON(#"{"expr": "y = 1 / (1 + exp(-x))", "values": {"x": 0.5}}"#, file: "sigmoid.json")
        #expect(json == expected)
        let yaml = try evalJSON("expr: y = 1 / (1 + exp(-x))\nvalues:\n  x: 0.5\n", file: "sigmoid.yaml")
        #expect(yaml == expected)
        #expect(json.contains("\"grad\": 0.2350037122015945"))
    }

    @Test func sigmoidLowersToTheNotesFigure() throws {
        #expect(try lowered("y = 1 / (1 + exp(-x))", [("x", Tensor(0.5))]) == [
            "x = input", "a = mul(x, -1.0)", "b = exp(a)", "c = add(b, 1.0)", "y = reciprocal(c) \"/\"",
        ])
    }

    @Test func expressionSpecKeepsTitleSeedAndNames() throws {
        let spec = try SpecDecoder.decode(#"{"title": "Sig", "expr": "y = sigmoid(x)", "values": {"x": [1, 2]}, "seed": [1, 3]}"#, file: "f.json")
        #expect(spec.title == "Sig")
        #expect(spec.seed == Tensor(vector: [1, 3]))
        #expect(spec.output == "y")
        #expect(spec.nodes.map(\.name) == ["x", "y"])
    }

    @Test func variablesComeInOrderOfFirstAppearance() throws {
        #expect(try lowered("L = (x + y) * z", [("z", Tensor(-4)), ("y", Tensor(5)), ("x", Tensor(-2))]) == [
            "x = input", "y = input", "z = input", "a = add(x, y)", "L = mul(a, z)",
        ])
        #expect(try value("L = (x + y) * z", [("x", Tensor(-2)), ("y", Tensor(5)), ("z", Tensor(-4))]) == Tensor(-12))
    }

    @Test func intermediateNamesSkipTheVariables() throws {
        #expect(try lowered("y = exp(a) * b + c", [("a", Tensor(1)), ("b", Tensor(2)), ("c", Tensor(3))]) == [
            "a = input", "b = input", "c = input", "d = exp(a)", "e = mul(d, b)", "y = add(e, c)",
        ])
    }

    @Test func unaryMinusBindsLooserThanPower() throws {
        #expect(try lowered("y = -x^2", [("x", Tensor(3))]) == ["x = input", "a = pow(x) p=2.0", "y = mul(a, -1.0)"])
        #expect(try value("y = -x^2", [("x", Tensor(3))]) == Tensor(-9))
    }

    @Test func subtractionIsLeftAssociative() throws {
        #expect(try lowered("y = a - b - c", [("a", Tensor(10)), ("b", Tensor(3)), ("c", Tensor(2))]) == [
            "a = input", "b = input", "c = input", "d = sub(a, b)", "y = sub(d, c)",
        ])
        #expect(try value("y = a - b - c", [("a", Tensor(10)), ("b", Tensor(3)), ("c", Tensor(2))]) == Tensor(5))
        #expect(try value("y = a / b / c", [("a", Tensor(12)), ("b", Tensor(3)), ("c", Tensor(2))]) == Tensor(2))
    }

    @Test func productsBindTighterThanSums() throws {
        #expect(try lowered("y = 2*x+1", [("x", Tensor(4))]) == ["x = input", "a = mul(x, 2.0)", "y = add(a, 1.0)"])
        #expect(try value("y = 2*x+1", [("x", Tensor(4))]) == Tensor(9))
        #expect(try value("y = 1 + 2*x", [("x", Tensor(4))]) == Tensor(9))
    }

    @Test func matmulThenAdd() throws {
        let values: [(String, Tensor)] = [("x", Tensor(vector: [1, 2])), ("W", Tensor(matrix: [[1, 2], [3, 4]])), ("b", Tensor(vector: [10, 20]))]
        #expect(try lowered("y = x @ W + b", values) == ["x = input", "W = input", "b = input", "a = matmul(x, W)", "y = add(a, b)"])
        #expect(try value("y = x @ W + b", values) == Tensor(vector: [17, 30]))
    }

    @Test func powerIsRightAssociativeWithConstantExponents() throws {
        #expect(try value("y = x^3^2", [("x", Tensor(2))]) == Tensor(512))
        #expect(try lowered("y = x^-1", [("x", Tensor(2))]) == ["x = input", "y = pow(x) p=-1.0"])
        #expect(try lowered("y = x ** (1/2)", [("x", Tensor(4))]) == ["x = input", "y = pow(x) p=0.5"])
        #expect(try value("y = x * 2^-1", [("x", Tensor(3))]) == Tensor(1.5))
    }

    @Test func divisionOfOneIsTheReciprocalNode() throws {
        #expect(try lowered("y = 1 / x", [("x", Tensor(2))]) == ["x = input", "y = reciprocal(x) \"/\""])
        #expect(try lowered("y = 2 / x", [("x", Tensor(2))]) == ["x = input", "y = div(2.0, x)"])
        #expect(try lowered("y = x / 1", [("x", Tensor(2))]) == ["x = input", "y = div(x, 1.0)"])
    }

    @Test func functionsTakeAttributesAfterTheirInputs() throws {
        let x = Tensor(matrix: [[1, 2, 3], [4, 5, 6]])
        #expect(try lowered("y = sum(x, 0) + sum(x, -1 + 2)", [("x", x)])
                == ["x = input", "a = sum(x) axis=0.0", "b = sum(x) axis=1.0", "y = add(a, b)"])
        #expect(try value("y = sum(x, 0)", [("x", x)]) == Tensor(vector: [5, 7, 9]))
        #expect(try value("y = sum(x)", [("x", x)]) == Tensor(21))
        #expect(try value("y = repeat(v, 2, 1)", [("v", Tensor(vector: [1, 2]))]) == Tensor(matrix: [[1, 1], [2, 2]]))
        #expect(try lowered("y = max(x, 0) + relu(x) + tanh(x) + log(x) + pow(x, 3)", [("x", Tensor(2))]) == [
            "x = input", "a = max(x, 0.0)", "b = relu(x)", "c = add(a, b)", "d = tanh(x)", "e = add(c, d)",
            "f = log(x)", "g = add(e, f)", "h = pow(x) p=3.0", "y = add(g, h)",
        ])
    }

    @Test func lossesLowerToTheirOps() throws {
        let values: [(String, Tensor)] = [("s", Tensor(matrix: [[1, 2, 3]])), ("t", Tensor(matrix: [[0, 0, 1]]))]
        let fused = try value("L = softmax_with_loss(s, t)", values)
        let split = try value("L = cross_entropy(softmax(s), t)", values)
        #expect(abs(fused.scalar - split.scalar) < 1e-12)
        #expect(try lowered("L = cross_entropy(softmax(s), t)", values) == ["s = input", "t = input", "a = softmax(s)", "L = cross_entropy(a, t)"])
    }

    @Test func typographicOperatorsAndNumbers() throws {
        #expect(try value("y = 2 × x − 1.5e1 ÷ 3", [("x", Tensor(4))]) == Tensor(3))
        #expect(try value("y = .5 * x", [("x", Tensor(4))]) == Tensor(2))
    }

    @Test func longChainsNeedNoRecursion() throws {
        let expression = "y = " + Array(repeating: "x", count: 20_000).joined(separator: " + ")
        #expect(try value(expression, [("x", Tensor(1))]) == Tensor(20_000))
    }

    @Test func commandLineValues() throws {
        let spec = try ExpressionSpec.commandLine(expression: "L = x @ W", values: ["x=[1, 2]", "W=[[1,2],[3,4]]"])
        #expect(spec.nodes.compactMap(\.value) == [Tensor(vector: [1, 2]), Tensor(matrix: [[1, 2], [3, 4]])])
        let negative = try ExpressionSpec.commandLine(expression: "L = x * y", values: ["x=-2", "y = 1e-3"])
        #expect(negative.nodes.compactMap(\.value) == [Tensor(-2), Tensor(0.001)])
    }
}

@Suite struct ExpressionErrorTests {
    @Test func unexpectedTokenShowsTheCaret() {
        #expect(errorMessage(#"{"expr": "y = (x +)", "values": {"x": 1}}"#) == """
            f.json: expr: unexpected ')' at column 9
              y = (x +)
                      ^
            """)
    }

    @Test func unclosedParenthesis() {
        #expect(errorMessage(#"{"expr": "y = exp(x", "values": {"x": 1}}"#) == """
            f.json: expr: missing ')' at column 10 to close the '(' at column 8
              y = exp(x
                       ^
            """)
    }

    @Test func missingOperator() {
        #expect(errorMessage(#"{"expr": "y = 2x", "values": {"x": 1}}"#) == """
            f.json: expr: unexpected 'x' at column 6 (missing an operator?)
              y = 2x
                   ^
            """)
    }

    @Test func unknownFunctionSuggestsTheNearest() {
        #expect(errorMessage(#"{"expr": "y = 1 + expp(x)", "values": {"x": 1}}"#) == """
            f.json: expr: unknown function "expp" at column 9 (did you mean "exp"?)
              y = 1 + expp(x)
                      ^
            """)
    }

    @Test func wrongNumberOfArguments() {
        #expect(errorMessage(#"{"expr": "y = exp(x, 2)", "values": {"x": 1}}"#) == """
            f.json: expr: exp(x) takes 1 argument, got 2 at column 5
              y = exp(x, 2)
                  ^
            """)
        #expect(errorMessage(#"{"expr": "y = repeat(x)", "values": {"x": 1}}"#) == """
            f.json: expr: repeat(x, times[, axis]) takes 2 or 3 arguments, got 1 at column 5
              y = repeat(x)
                  ^
            """)
    }

    @Test func exponentMustBeConstant() {
        #expect(errorMessage(#"{"expr": "y = x^z", "values": {"x": 1, "z": 2}}"#) == """
            f.json: expr: the exponent of '^' must be a constant number at column 7 (found "z")
              y = x^z
                    ^
            """)
    }

    @Test func missingLeftHandSide() {
        #expect(errorMessage(#"{"expr": "x + 1", "values": {"x": 1}}"#) == """
            f.json: expr: missing the left-hand side at column 1: write "y = …" to name the output
              x + 1
              ^
            """)
    }

    @Test func valuesMustMatchTheVariables() {
        #expect(errorMessage(#"{"expr": "y = x * z", "values": {"x": 1, "q": 2, "y": 3}}"#) == """
            f.json: values: "q" is not a variable of the expression (its variables are "x", "z")
            f.json: values: "y" is the output, computed by the expression; it takes no value
            f.json: values: missing a value for "z"
            """)
        #expect(errorMessage(#"{"expr": "y = rate * 2", "values": {"rat": 1}}"#) == """
            f.json: values: "rat" is not a variable of the expression (did you mean "rate"?)
            f.json: values: missing a value for "rate"
            """)
    }

    @Test func functionNameUsedAsVariable() {
        #expect(errorMessage(#"{"expr": "y = exp * 2", "values": {}}"#) == """
            f.json: expr: "exp" is a function at column 5: call it as exp(x)
              y = exp * 2
                  ^
            """)
    }

    @Test func rightHandSideMustCompute() {
        #expect(errorMessage(#"{"expr": "y = x", "values": {"x": 1}}"#) == """
            f.json: expr: the right-hand side computes nothing at column 5: it is just "x"; a figure needs at least one operation
              y = x
                  ^
            """)
    }

    @Test func expressionAndNodesDoNotMix() {
        #expect(errorMessage(#"{"expr": "y = exp(x)", "values": {"x": 1}, "nodes": [], "output": "y"}"#) == """
            f.json: "nodes" cannot be used with "expr": an expression spec lists no nodes
            f.json: "output" cannot be used with "expr": the left-hand side of the expression names the output
            """)
    }

    @Test func shapeErrorsNameTheSubexpression() {
        #expect(errorMessage(#"{"expr": "y = x @ W", "values": {"x": [1, 2, 3], "W": [[1, 2], [3, 4]]}}"#)
                == #"f.json: expr "x @ W": matmul: inner dimensions differ: (3,) · (2, 2) (3 ≠ 2)"#)
    }

    @Test func multilineExpressionsGiveTheLine() {
        #expect(errorMessage("expr: |\n  y = exp(x)\n    + $\nvalues: {x: 1}\n", file: "f.yaml") == """
            f.yaml: expr: unexpected character '$' at line 2, column 5
                + $
                  ^
            """)
    }

    @Test func tabsAndWideCharactersKeepTheCaretAligned() {
        #expect(errorMessage("{\"expr\": \"y =\\t한 + )\", \"values\": {\"한\": 1}}") == "f.json: expr: unexpected ')' at column 9\n  y =\t한 + )\n     \t     ^")
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let parens = "y = " + String(repeating: "(", count: 5_000) + "x" + String(repeating: ")", count: 5_000)
        let message = errorMessage(#"{"expr": "\#(parens)", "values": {"x": 1}}"#)
        #expect(message == """
            f.json: expr: the expression is nested more than 100 levels deep at column 105
              …\(String(repeating: "(", count: 60))\(String(repeating: "(", count: 40))…
               \(String(repeating: " ", count: 60))^
            """)
        let minuses = "y = " + String(repeating: "-", count: 100_000) + "x"
        #expect(errorMessage(#"{"expr": "\#(minuses)", "values": {"x": 1}}"#).contains("nested more than 100 levels deep"))
        let powers = "y = x" + String(repeating: "^x", count: 100_000)
        #expect(errorMessage(#"{"expr": "\#(powers)", "values": {"x": 1}}"#).contains("nested more than 100 levels deep"))
    }

    @Test func commandLineErrors() {
        func message(_ expression: String, _ values: [String]) -> String {
            do { _ = try ExpressionSpec.commandLine(expression: expression, values: values); return "no error" }
            catch { return "\(error)" }
        }
        #expect(message("L = x * y", ["x=1", "y", "z=[1,"]) == """
            <command line>: --value "y": expected NAME=VALUE, such as x=0.5 or W=[[1,2],[3,4]]
            <command line>: --value "z=[1,": expected a number or a JSON array (invalid JSON: unexpected end of file, expected a value)
            """)
        #expect(message("L = x * ", ["x=nan"]) == """
            <command line>: --value "x=nan": nan is not a finite number
            <command line>: --expr: unexpected end of the expression at column 9
              L = x * 
                      ^
            """)
    }
}
