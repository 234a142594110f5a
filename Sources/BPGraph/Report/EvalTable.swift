/// The human-readable table of `eval` (without `--json`): node, op, value, gradient.
public enum EvalTable {
    public static func render(_ evaluated: EvaluatedGraph) -> String {
        let graph = evaluated.graph
        var rows: [[String]] = [["node", "op", "value", "gradient"]]
        for (i, node) in graph.nodes.enumerated() {
            let op = node.op?.name ?? (node.isConstant ? "const" : "input")
            rows.append([node.id, op, format(evaluated.values[i]), evaluated.gradients[i].map(format) ?? "—"])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in c == 3 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// Tensors larger than this are shown by their shape (the numbers are in --json).
    public static let maximumShown = 64

    public static func format(_ t: Tensor) -> String {
        let number = NumberText(precision: 6, style: .plain).number
        if t.count > maximumShown { return t.shape.map(String.init).joined(separator: "×") + " values (see --json)" }
        // One bracket per axis, as numpy prints it: (1, 2, 2) is [[[1, 2], [3, 4]]].
        func nested(_ start: Int, _ axis: Int) -> String {
            if axis == t.rank { return number(t.data[start]) }
            let n = t.shape[axis]
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            return "[" + (0..<n).map { nested(start + $0 * stride, axis + 1) }.joined(separator: ", ") + "]"
        }
        return nested(0, 0)
    }
}
