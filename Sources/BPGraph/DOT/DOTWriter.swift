/// An evaluated graph as DOT text: pure (no I/O, no C), byte-identical on every run.
/// Node names are the spec's ids, in the spec's order; every user string is escaped
/// (`DOTEscape`); only plain labels are written, never HTML-like ones.
///
/// Each edge carries its forward value as `label` and its gradient as `headlabel`
/// (coloured by `labelfontcolor`). Plain Graphviz draws the gradient near the head;
/// bpgraph's renderer moves the value above the edge and the gradient below it. In
/// the backward-arrow style the gradient sits on a second, red edge between the same
/// two nodes (`dir=back`), whose id is the forward edge's id plus `-grad`.
public struct DOTWriter: Sendable {
    public var options: FigureOptions

    public init(options: FigureOptions = FigureOptions()) { self.options = options }

    /// The id suffix that marks a backward (gradient) arrow in the backward-arrow style.
    public static let gradientSuffix = "-grad"

    public func write(_ evaluated: EvaluatedGraph) -> String {
        plan(evaluated).dot
    }

    /// The DOT text and, typed, which label on which edge is whose value and gradient
    /// (what the renderer places, and what a step-by-step frame shows or hides).
    public func plan(_ evaluated: EvaluatedGraph) -> FigurePlan {
        let graph = evaluated.graph
        var table: [LabelTable.Edge] = []
        let tips = Tooltips(evaluated, forwardOnly: options.forwardOnly, symbol: { symbol(of: $0, attributes: $1) })
        let mode = options.labels ?? graph.labels.flatMap(FigureOptions.Labels.init(rawValue:)) ?? .values
        let theme = options.theme
        let numbers = options.numbers
        var out = ""
        func line(_ s: String) { out += s; out += "\n" }
        // (Scalar by scalar rather than Foundation's replacingOccurrences, whose first use
        // costs 0.2 ms: a formatted number has no combining marks.)
        func num(_ x: Double) -> String {
            String(String.UnicodeScalarView(numbers.format(x).unicodeScalars.map { $0 == "\u{2212}" ? "-" : $0 }))
        }

        let font = DOTEscape.id(theme.fontName)
        let fg = DOTEscape.id(Theme.graphvizColor(theme.foreground))
        let red = DOTEscape.id(Theme.graphvizColor(theme.gradient))
        let background = options.transparent ? "\"transparent\"" : DOTEscape.id(Theme.graphvizColor(theme.background))

        line("digraph \"bpgraph\" {")
        var graphAttributes = [
            "rankdir=\(options.direction.rawValue)",
            "charset=\"UTF-8\"",
            "bgcolor=\(background)",
            "fontname=\(font)",
            "fontsize=\(num(theme.titleFontSize))",
            "fontcolor=\(DOTEscape.id(Theme.graphvizColor(theme.titleColor)))",
            "nodesep=\(num(separation(evaluated)))",
            "ranksep=0.35",
            "pad=0.2",
            "splines=true",
            "outputorder=edgesfirst",
        ]
        if let title = graph.title, !title.isEmpty {
            graphAttributes += ["label=\(DOTEscape.label(title))", "labelloc=t", "labeljust=c"]
        }
        line("  graph [\(graphAttributes.joined(separator: ", "))]")
        line("  node [fontname=\(font), fontsize=\(num(theme.fontSize)), fontcolor=\(fg), color=\(fg), penwidth=\(num(theme.penWidth)), shape=circle, style=filled, fillcolor=\(DOTEscape.id(Theme.graphvizColor(theme.nodeFill))), width=0.5, height=0.5, margin=0.04]")
        line("  edge [fontname=\(font), fontsize=\(num(theme.edgeFontSize)), fontcolor=\(fg), color=\(fg), penwidth=\(num(theme.penWidth)), arrowsize=0.8, labelfontname=\(font), labelfontsize=\(num(theme.edgeFontSize)), labelfontcolor=\(red)]")

        // Nodes, in drawing order.
        let leafColor = DOTEscape.id(Theme.graphvizColor(theme.leaf))
        for (i, node) in graph.nodes.enumerated() {
            var attributes: [String] = []
            if let op = node.op {
                let text = node.label ?? symbol(of: op, attributes: node.attributes)
                attributes.append("label=\(DOTEscape.label(text))")
                if text.count > 7 || text.contains("\n") {
                    attributes += ["shape=box", "style=\"rounded,filled\""]
                }
            } else {
                let text: String
                if let label = node.label { text = label }
                else if let name = node.name { text = name }
                else if node.isAnonymous { text = "" }
                else { text = node.id }
                if text.isEmpty {
                    attributes.append("label=" + labelText(numbers.lines(evaluated.values[i])))
                } else {
                    attributes.append("label=\(DOTEscape.label(text))")
                }
                attributes += ["shape=plaintext", "style=\"\"", "fontcolor=\(leafColor)", "width=0", "height=0", "margin=0.06"]
            }
            attributes.append("tooltip=\(DOTEscape.tooltip(tips.node(i)))")
            line("  \(DOTEscape.id(node.id)) [\(attributes.joined(separator: ", "))]")
        }
        // The output's trailing edge ends at an invisible node.
        var sinkID = graph.outputNode.id + "/out"
        let ids = Set(graph.nodes.map(\.id))
        while ids.contains(sinkID) { sinkID += "'" }
        line("  \(DOTEscape.id(sinkID)) [label=\"\", shape=none, style=\"\", width=0.1, height=0.1, fixedsize=true]")

        // Groups: one labelled cluster each, in order of first appearance. Anonymous
        // constants join their consumer's group.
        var groups: [(name: String, members: [Int])] = []
        for (i, node) in graph.nodes.enumerated() {
            var group = node.group
            if group == nil, node.isAnonymous, let e = graph.outEdges[i].first {
                group = graph.nodes[graph.edges[e].to].group
            }
            guard let name = group else { continue }
            if let k = groups.firstIndex(where: { $0.name == name }) { groups[k].members.append(i) }
            else { groups.append((name, [i])) }
        }
        for (k, group) in groups.enumerated() {
            line("  subgraph \"cluster_\(k)\" {")
            line("    graph [label=\(DOTEscape.label(group.name)), labelloc=t, labeljust=c, style=\"rounded,filled\", color=\(DOTEscape.id(Theme.graphvizColor(theme.groupBorder))), fillcolor=\(DOTEscape.id(Theme.graphvizColor(theme.groupFill))), fontcolor=\(DOTEscape.id(Theme.graphvizColor(theme.groupText))), fontsize=\(num(theme.edgeFontSize)), penwidth=1, margin=10]")
            line("    " + group.members.map { DOTEscape.id(graph.nodes[$0].id) + ";" }.joined(separator: " "))
            line("  }")
        }

        // Edges, in the graph's order (by consumer, then argument), then the trailing edge.
        var edges: [(from: String, to: String, id: String, value: String?, gradient: String?, tooltip: String)] = []
        for (k, edge) in graph.edges.enumerated() {
            let from = graph.nodes[edge.from]
            let gradient = options.forwardOnly ? nil : evaluated.edgeGradients[k]
            // An anonymous constant's text is its value: its edge does not say it again
            // (the sigmoid's −1 → ×). It has no gradient either, so it has no labels.
            let value = from.isAnonymous ? nil : valueText(evaluated.values[edge.from], of: edge.from, in: graph, mode: mode)
            edges.append((DOTEscape.id(from.id), DOTEscape.id(graph.nodes[edge.to].id), LabelTable.edgeID(k), value,
                          gradient.map { gradientText($0, of: edge.from, to: edge.to, in: graph, mode: mode) },
                          DOTEscape.tooltip(tips.edge(k))))
        }
        edges.append((DOTEscape.id(graph.outputNode.id), DOTEscape.id(sinkID), LabelTable.outputEdgeID,
                      valueText(evaluated.values[graph.output], of: graph.output, in: graph, mode: mode),
                      options.forwardOnly ? nil : gradientText(graph.seed, of: graph.output, to: nil, in: graph, mode: mode),
                      DOTEscape.tooltip(tips.output())))
        for edge in edges {
            let tooltip = "tooltip=\(edge.tooltip)"
            guard let value = edge.value else {
                line("  \(edge.from) -> \(edge.to) [id=\"\(edge.id)\", \(tooltip)]")
                continue
            }
            switch (options.style, edge.gradient) {
            case (.labels, let gradient?):
                line("  \(edge.from) -> \(edge.to) [id=\"\(edge.id)\", label=\(value), headlabel=\(gradient), \(tooltip)]")
                table.append(.init(id: edge.id, value: DOTEscape.unquoted(value), gradient: DOTEscape.unquoted(gradient)))
            case (.backwardArrows, let gradient?):
                line("  \(edge.from) -> \(edge.to) [id=\"\(edge.id)\", label=\(value), \(tooltip)]")
                line("  \(edge.from) -> \(edge.to) [id=\"\(edge.id)\(Self.gradientSuffix)\", label=\(gradient), dir=back, color=\(red), fontcolor=\(red), \(tooltip)]")
                table.append(.init(id: edge.id, value: DOTEscape.unquoted(value), gradient: DOTEscape.unquoted(gradient),
                                   gradientEdge: edge.id + Self.gradientSuffix))
            case (_, nil):
                line("  \(edge.from) -> \(edge.to) [id=\"\(edge.id)\", label=\(value), \(tooltip)]")
                table.append(.init(id: edge.id, value: DOTEscape.unquoted(value)))
            }
        }
        line("}")
        return FigurePlan(dot: out, labels: LabelTable(edges: table))
    }

    /// Room between neighbouring nodes and edges (inches): enough for the tallest
    /// edge label on either side of an edge.
    func separation(_ evaluated: EvaluatedGraph) -> Double {
        var lines = 1
        for (k, edge) in evaluated.graph.edges.enumerated() {
            lines = max(lines, options.numbers.lineCount(evaluated.values[edge.from]))
            if !options.forwardOnly, let g = evaluated.edgeGradients[k] { lines = max(lines, options.numbers.lineCount(g)) }
        }
        let points = 2 * Double(lines) * options.theme.edgeFontSize * 1.2 + (options.style == .backwardArrows ? 14 : 8)
        return (points / 72 * 100).rounded(.up) / 100
    }

    /// The text inside an op's circle: its symbol, with `{p}` filled in for pow.
    public func symbol(of op: Op, attributes: Attributes) -> String {
        var s = op.symbol
        for (name, value) in attributes.values.sorted(by: { $0.key < $1.key }) {
            s = s.replacingOccurrences(of: "{\(name)}", with: options.numbers.format(value))
        }
        return s
    }

    /// The symbol of a node in symbolic labels: its name, else its id (an anonymous
    /// constant's value).
    func symbolName(_ index: Int, in graph: Graph) -> String? {
        let node = graph.nodes[index]
        if let name = node.name { return name }
        if node.isAnonymous { return nil }
        return node.id
    }

    func valueText(_ t: Tensor, of index: Int, in graph: Graph, mode: FigureOptions.Labels) -> String {
        let numbers = options.numbers.lines(t)
        switch mode {
        case .values:
            return labelText(numbers)
        case .symbols, .chain:
            return symbolName(index, in: graph).map(DOTEscape.label) ?? labelText(numbers)
        case .both:
            guard let name = symbolName(index, in: graph) else { return labelText(numbers) }
            return prefixed(name + " = ", numbers)
        }
    }

    /// The gradient on an edge from `index` into `consumer` (nil: the output's trailing edge).
    func gradientText(_ t: Tensor, of index: Int, to consumer: Int?, in graph: Graph, mode: FigureOptions.Labels) -> String {
        let numbers = options.numbers.lines(t)
        let symbol = symbolName(index, in: graph).map { "\u{2202}L/\u{2202}" + $0 }
        switch mode {
        case .chain:
            // DG = UG × LG: ∂L/∂z × ∂z/∂x on an edge x → z; the output's own edge shows ∂L/∂z.
            guard let name = symbolName(index, in: graph) else { return labelText(numbers) }
            guard let consumer, let z = symbolName(consumer, in: graph) else { return DOTEscape.label("\u{2202}L/\u{2202}" + name) }
            return DOTEscape.label("\u{2202}L/\u{2202}\(z) \u{00D7} \u{2202}\(z)/\u{2202}\(name)")
        case .values:
            return labelText(numbers)
        case .symbols:
            return symbol.map(DOTEscape.label) ?? labelText(numbers)
        case .both:
            guard let symbol else { return labelText(numbers) }
            return prefixed(symbol + " = ", numbers)
        }
    }

    private func prefixed(_ prefix: String, _ numbers: (lines: [String], leftAligned: Bool)) -> String {
        if numbers.lines.count == 1 { return DOTEscape.label(prefix + numbers.lines[0]) }
        return labelText(([prefix] + numbers.lines, numbers.leftAligned))
    }

    /// Lines joined with Graphviz line breaks: centred (`\n`) or left-justified (`\l`).
    func labelText(_ numbers: (lines: [String], leftAligned: Bool)) -> String {
        let bodies = numbers.lines.map(DOTEscape.labelBody)
        if numbers.leftAligned { return DOTEscape.quoted(bodies.map { $0 + "\\l" }.joined()) }
        return DOTEscape.quoted(bodies.joined(separator: "\\n"))
    }
}
