import BPGraph
import Testing

/// Every class of bad input gets one clear line naming the file and the place, word for word.
@Suite struct ErrorMessageTests {
    static let cases: [(file: String, spec: String, expected: [String])] = [
        ("empty.json", "", ["empty.json: the spec is empty"]),
        ("blank.yaml", "  \n ", ["blank.yaml: the spec is empty"]),
        ("syntax.json", #"{"nodes": [ {"id": "x" "value": 1} ], "output": "x"}"#,
         [#"syntax.json:1:24: invalid JSON: expected ',' or '}' in an object, found '"'"#]),
        ("trailing.json", #"{"nodes": [ {"id": "x", "value": 1}, ], "output": "x"}"#,
         ["trailing.json:1:38: invalid JSON: trailing comma before ']'"]),
        ("nan.json", "{\"nodes\": [\n  {\"id\": \"x\", \"value\": NaN} ], \"output\": \"x\"}",
         ["nan.json:2:24: invalid JSON: NaN and Infinity are not numbers in JSON"]),
        ("inf.json", #"{"nodes": [ {"id": "x", "value": -Infinity} ], "output": "x"}"#,
         ["inf.json:1:35: invalid JSON: NaN and Infinity are not numbers in JSON"]),
        ("inf.yaml", "nodes: [ {id: x, value: .inf} ]\noutput: x", ["inf.yaml:1:25: .inf is not a finite number"]),
        ("bad.yaml", "nodes: [ {id: x, value: 1 ]\noutput: x",
         ["bad.yaml:1:27: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 1)"]),
        ("nonodes.json", #"{"output": "x"}"#, [#"nonodes.json: missing "nodes" (the list of nodes)"#]),
        ("nooutput.json", #"{"nodes": [ {"id": "x", "value": 1} ]}"#,
         [#"nooutput.json: missing "output" (the id of the node whose gradient is seeded)"#]),
        ("op.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "c", "op": "expp", "in": ["x"]} ], "output": "c"}"#,
         [#"op.json: nodes[1] "c": unknown op "expp" (did you mean "exp"?)"#]),
        ("arity.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "c", "op": "mul", "in": ["x"]} ], "output": "c"}"#,
         [#"arity.json: nodes[1] "c": mul takes 2 inputs, got 1"#]),
        ("ref.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "c", "op": "exp", "in": ["xx"]} ], "output": "c"}"#,
         [#"ref.json: nodes[1] "c": in[0]: unknown id "xx" (did you mean "x"?)"#]),
        ("dup.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "x", "value": 2} ], "output": "x"}"#,
         [#"dup.json: nodes[1] "x": duplicate id "x" (first defined at nodes[0] "x")"#]),
        ("cycle.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "a", "op": "add", "in": ["x", "b"]}, {"id": "b", "op": "exp", "in": ["a"]} ], "output": "b"}"#,
         [#"cycle.json: nodes[1] "a": cycle: b → a → b (a node cannot depend on itself)"#]),
        ("self.json", #"{"nodes": [ {"id": "a", "op": "exp", "in": ["a"]} ], "output": "a"}"#,
         [#"self.json: nodes[0] "a": in[0] refers to the node itself"#]),
        ("ragged.json", #"{"nodes": [ {"id": "x", "value": [[1, 2], [3]]} ], "output": "x"}"#,
         [#"ragged.json: nodes[0] "x": value: ragged array: element [1] does not match the shape of the first row"#]),
        ("text.json", #"{"nodes": [ {"id": "x", "value": [1, "two"]} ], "output": "x"}"#,
         [#"text.json: nodes[0] "x": value: expected a number at [1], found the string "two""#]),
        ("bool.json", #"{"nodes": [ {"id": "x", "value": true} ], "output": "x"}"#,
         [#"bool.json: nodes[0] "x": value: expected a number, found a boolean"#]),
        ("shape.json", #"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "y", "value": [1, 2, 3]}, {"id": "s", "op": "add", "in": ["x", "y"]} ], "output": "s"}"#,
         [#"shape.json: nodes[2] "s": add: shapes (2,) and (3,) do not broadcast"#]),
        ("matmul.json", #"{"nodes": [ {"id": "x", "value": [[1, 2]]}, {"id": "W", "value": [[1, 2]]}, {"id": "s", "op": "matmul", "in": ["x", "W"]} ], "output": "s"}"#,
         [#"matmul.json: nodes[2] "s": matmul: inner dimensions differ: (1, 2) · (1, 2) (2 ≠ 1)"#]),
        ("seed.json", #"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "s", "op": "exp", "in": ["x"]} ], "output": "s", "seed": [1, 2, 3]}"#,
         [#"seed.json: seed: shape (3,) does not match the output "s" of shape (2,)"#]),
        ("times.json", #"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "r", "op": "repeat", "in": ["x"], "times": 0} ], "output": "r"}"#,
         [#"times.json: nodes[1] "r": "times" must be a positive integer, got 0"#]),
        ("notimes.json", #"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "r", "op": "repeat", "in": ["x"]} ], "output": "r"}"#,
         [#"notimes.json: nodes[1] "r": repeat needs the attribute "times""#]),
        ("axis.json", #"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "s", "op": "sum", "in": ["x"], "axis": 1} ], "output": "s"}"#,
         [#"axis.json: nodes[1] "s": sum: axis 1 is out of range for a value of rank 1 (valid: 0..<1)"#]),
        ("axisf.json", #"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "s", "op": "sum", "in": ["x"], "axis": 0.5} ], "output": "s"}"#,
         [#"axisf.json: nodes[1] "s": "axis" must be an integer, got 0.5"#]),
        ("attr.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "e", "op": "exp", "in": ["x"], "axis": 0} ], "output": "e"}"#,
         [#"attr.json: nodes[1] "e": exp takes no attribute "axis" (it takes none)"#]),
        ("ce.json", #"{"nodes": [ {"id": "y", "value": [0.2, 0.8]}, {"id": "t", "value": [1, 0, 0]}, {"id": "L", "op": "cross_entropy", "in": ["y", "t"]} ], "output": "L"}"#,
         [#"ce.json: nodes[2] "L": cross_entropy: targets of shape (3,) match neither the scores (2,) (one-hot) nor () (class indices)"#]),
        ("index.json", #"{"nodes": [ {"id": "y", "value": [0.2, 0.8]}, {"id": "t", "value": 2}, {"id": "L", "op": "cross_entropy", "in": ["y", "t"]} ], "output": "L"}"#,
         [#"index.json: nodes[2] "L": cross_entropy: class index 2 is out of range for 2 classes (valid: 0..<2)"#]),
        ("log.json", #"{"nodes": [ {"id": "x", "value": -1}, {"id": "L", "op": "log", "in": ["x"]} ], "output": "L"}"#,
         [#"log.json: nodes[1] "L": log gives a non-finite value (NaN) for these inputs"#]),
        ("typo.json", #"{"nodes": [ {"id": "x", "vaule": 1} ], "output": "x"}"#,
         [#"typo.json: nodes[0] "x": unknown key "vaule" (did you mean "value"?)"#,
          #"typo.json: nodes[0] "x": needs a "value" (an input) or an "op""#]),
        ("array.json", "[1, 2]", [#"array.json: the spec must be an object with "nodes" and "output", found an array"#]),
        ("output.json", #"{"nodes": [ {"id": "x", "value": 1} ], "output": "q"}"#, [#"output.json: output: unknown id "q""#]),
        ("emptyvalue.json", #"{"nodes": [ {"id": "x", "value": []} ], "output": "x"}"#,
         [#"emptyvalue.json: nodes[0] "x": value: an empty array is not a value"#]),
        ("range.json", #"{"nodes": [ {"id": "x", "value": 1e999} ], "output": "x"}"#, ["range.json:1:34: number 1e999 is out of range"]),
        ("noid.json", #"{"nodes": [ {"value": 1} ], "output": "x"}"#, [#"noid.json: nodes[0]: missing "id""#]),
        // Independent problems are reported together.
        ("many.json", #"{"nodes": [ {"id": "x", "value": 1}, {"id": "a", "op": "expp", "in": ["x"]}, {"id": "b", "op": "mul", "in": ["x", "zz"]} ], "output": "b"}"#,
         [#"many.json: nodes[1] "a": unknown op "expp" (did you mean "exp"?)"#, #"many.json: nodes[2] "b": in[1]: unknown id "zz""#]),
    ]

    @Test(arguments: cases.indices)
    func message(_ index: Int) {
        let c = Self.cases[index]
        #expect(errors(c.spec, file: c.file) == c.expected)
    }
}

extension ErrorMessageTests {
    @Test func hugeRepeatIsRefusedNotAllocated() {
        #expect(errors(#"{"nodes": [ {"id": "x", "value": [1, 2]}, {"id": "r", "op": "repeat", "in": ["x"], "times": 999999999}, {"id": "s", "op": "repeat", "in": ["r"], "times": 999999999} ], "output": "s"}"#, file: "big.json")
                == [#"big.json: nodes[1] "r": repeat: a value of shape (999999999, 2) is too large (at most 10000000 elements)"#])
    }
}

extension ErrorMessageTests {
    /// Ids with control characters would merge into one node in the DOT; long text can't be drawn.
    @Test func idsAndTextThatCannotBeDrawn() {
        #expect(errors(#"{"nodes": [ {"id": "x\u0000y", "value": 1} ], "output": "xy"}"#, file: "c.json")
                == [#"c.json: nodes[0]: "id" contains the control character U+0000"#])
        let long = String(repeating: "T", count: 501)
        #expect(errors(#"{"title": "\#(long)", "nodes": [ {"id": "x", "value": 1} ], "output": "x"}"#, file: "t.json")
                == ["t.json: title: is longer than 500 characters"])
    }

    /// Many large values together are refused before anything is allocated.
    @Test func totalSizeIsCapped() {
        let repeats = (0..<3).map { #"{"id": "r\#($0)", "op": "repeat", "in": ["x"], "times": 3000}"# }.joined(separator: ", ")
        let x = "[" + Array(repeating: "1", count: 3000).joined(separator: ", ") + "]"
        #expect(errors(#"{"nodes": [ {"id": "x", "value": \#(x)}, \#(repeats) ], "output": "r0"}"#, file: "big.json")
                == ["big.json: the graph's values add up to 27003000 elements, more than 20000000"])
    }

    /// Callers act on a problem's kind and note, not its wording.
    @Test func diagnosticsCarryTheirKind() throws {
        func diagnostics(_ body: () throws -> Any) -> [Diagnostic] {
            do { _ = try body(); return [] } catch let error as SpecError { return error.diagnostics } catch { return [] }
        }
        let yaml = diagnostics { try SpecDecoder.decode("nodes: [ {id: x, value: 1 ]\noutput: x", file: "bad.yaml") }
        #expect(yaml.map(\.kind) == [.syntax])
        #expect(yaml.first?.message == "invalid YAML: did not find expected ',' or '}'")
        #expect(yaml.first?.note == Diagnostic.Note(text: "while parsing a flow mapping", line: 1))
        let json = diagnostics { try SpecDecoder.decode(#"{"nodes": [}"#, file: "bad.json") }
        #expect(json.map(\.kind) == [.syntax])
        let values = diagnostics { try ExpressionSpec.commandLine(expression: "y = x * z", values: ["x=1", "w=2", "x=3"]) }
        #expect(values.map(\.kind) == [.unusedValue(variable: "w"), .unusedValue(variable: "x"), .missingValue(variable: "z")])
        let malformed = diagnostics { try ExpressionSpec.commandLine(expression: "y = exp(x)", values: ["x"]) }
        #expect(malformed.map(\.kind) == [.malformedAssignment])
        let op = diagnostics { try Graph(SpecDecoder.decode(#"{"nodes": [{"id": "x", "value": 1}, {"id": "c", "op": "expp", "in": ["x"]}], "output": "c"}"#, file: "op.json")) }
        #expect(op.map(\.kind) == [.spec])
        #expect(op.first?.place == #"nodes[1] "c""#)
    }
}
