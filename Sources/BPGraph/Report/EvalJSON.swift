/// `eval --json`: values and gradients at full Double precision, tensors as nested arrays.
public enum EvalJSON {
    public static func encode(_ evaluated: EvaluatedGraph) -> String {
        var out = ""
        encode(evaluated, to: &out)
        return out
    }

    /// Writes the document piece by piece (a tensor's numbers a row at a time), so that a
    /// graph of millions of values is streamed rather than built as one string.
    public static func encode<Output: TextOutputStream>(_ evaluated: EvaluatedGraph, to out: inout Output) {
        let graph = evaluated.graph
        out.write("{ \"output\": \(string(graph.outputNode.id)),\n  \"nodes\": [")
        for (i, node) in graph.nodes.enumerated() {
            out.write(i == 0 ? "\n" : ",\n")
            out.write("    { \"id\": \(string(node.id)), \"value\": ")
            tensor(evaluated.values[i], to: &out)
            out.write(", \"grad\": ")
            optional(evaluated.gradients[i], to: &out)
            out.write(" }")
        }
        out.write("\n  ],\n  \"edges\": [")
        for (e, edge) in graph.edges.enumerated() {
            out.write(e == 0 ? "\n" : ",\n")
            out.write("    { \"from\": \(string(graph.nodes[edge.from].id)), \"to\": \(string(graph.nodes[edge.to].id)), ")
            out.write("\"input\": \(edge.input), \"value\": ")
            tensor(evaluated.values[edge.from], to: &out)
            out.write(", \"grad\": ")
            optional(evaluated.edgeGradients[e], to: &out)
            out.write(" }")
        }
        out.write("\n  ]\n}\n")
    }

    /// Shortest text that reads back as the same Double, always with a fraction or an
    /// exponent (`1.0`, `0.5`, `1e-07`): a JSON reader sees a Double.
    public static func number(_ x: Double) -> String { NumberText.json(x) }

    public static func tensor(_ t: Tensor) -> String {
        var out = ""
        tensor(t, to: &out)
        return out
    }

    /// Nested arrays, written a row (the last axis) at a time.
    static func tensor<Output: TextOutputStream>(_ t: Tensor, to out: inout Output) {
        if t.isScalar { out.write(number(t.scalar)); return }
        var index = 0
        func level(_ axis: Int) {
            out.write("[")
            if axis == t.rank - 1 {
                var row = ""
                for k in 0..<t.shape[axis] {
                    if k > 0 { row += ", " }
                    row += number(t.data[index])
                    index += 1
                    if row.utf8.count >= 1 << 14 { out.write(row); row = "" }
                }
                out.write(row)
            } else {
                for k in 0..<t.shape[axis] {
                    if k > 0 { out.write(", ") }
                    level(axis + 1)
                }
            }
            out.write("]")
        }
        level(0)
    }

    static func optional(_ t: Tensor?) -> String { t.map(tensor) ?? "null" }

    static func optional<Output: TextOutputStream>(_ t: Tensor?, to out: inout Output) {
        if let t { tensor(t, to: &out) } else { out.write("null") }
    }

    public static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
