/// `eval --json`: values and gradients at full Double precision, tensors as nested arrays.
public enum EvalJSON {
    public static func encode(_ evaluated: EvaluatedGraph) -> String {
        let graph = evaluated.graph
        var out = "{ \"output\": \(string(graph.outputNode.id)),\n  \"nodes\": ["
        for (i, node) in graph.nodes.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += "    { \"id\": \(string(node.id)), \"value\": \(tensor(evaluated.values[i])), \"grad\": \(optional(evaluated.gradients[i])) }"
        }
        out += "\n  ],\n  \"edges\": ["
        for (e, edge) in graph.edges.enumerated() {
            out += e == 0 ? "\n" : ",\n"
            out += "    { \"from\": \(string(graph.nodes[edge.from].id)), \"to\": \(string(graph.nodes[edge.to].id)), "
            out += "\"input\": \(edge.input), \"value\": \(tensor(evaluated.values[edge.from])), \"grad\": \(optional(evaluated.edgeGradients[e])) }"
        }
        out += "\n  ]\n}\n"
        return out
    }

    /// Shortest text that reads back as the same Double.
    public static func number(_ x: Double) -> String {
        if x == 0 { return "0.0" }  // also turns −0 into 0
        return x.description
    }

    public static func tensor(_ t: Tensor) -> String {
        if t.isScalar { return number(t.scalar) }
        var index = 0
        func level(_ axis: Int) -> String {
            var parts: [String] = []
            for _ in 0..<t.shape[axis] {
                if axis == t.rank - 1 { parts.append(number(t.data[index])); index += 1 }
                else { parts.append(level(axis + 1)) }
            }
            return "[" + parts.joined(separator: ", ") + "]"
        }
        return level(0)
    }

    static func optional(_ t: Tensor?) -> String { t.map(tensor) ?? "null" }

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
