/// A figure as the DOT writer hands it to the renderer: the DOT text, and beside it the
/// typed knowledge the renderer needs and must not recover by re-reading the DOT —
/// which label on which edge is whose value and whose gradient.
public struct FigurePlan: Sendable, Equatable {
    /// The DOT text (what `bpgraph dot` prints).
    public var dot: String
    /// Every labelled edge's value and gradient, in the DOT's edge order.
    public var labels: LabelTable

    public init(dot: String, labels: LabelTable) {
        self.dot = dot
        self.labels = labels
    }
}

/// The labels of a figure's edges, per DOT edge id.
///
/// Texts are the values cgraph holds for the label attributes (Graphviz's label syntax:
/// `\n` and `\l` break lines, `\\` is a backslash), so the renderer can make the label
/// with Graphviz's own `make_label` exactly as if it had read the attribute.
public struct LabelTable: Sendable, Equatable {
    public struct Edge: Sendable, Equatable {
        /// The forward edge's DOT `id` (`e3`; `out` for the output's trailing edge).
        public var id: String
        /// The forward value, drawn above the edge.
        public var value: String
        /// The gradient, drawn below the edge; nil when the edge shows none.
        public var gradient: String?
        /// Where the gradient is drawn: on the forward edge's head label (nil), or on
        /// the backward arrow with this DOT `id` (the backward-arrow style).
        public var gradientEdge: String?

        public init(id: String, value: String, gradient: String? = nil, gradientEdge: String? = nil) {
            self.id = id
            self.value = value
            self.gradient = gradient
            self.gradientEdge = gradientEdge
        }
    }

    public var edges: [Edge]

    public init(edges: [Edge]) { self.edges = edges }

    /// The DOT id of the edge for the graph's edge `k`.
    public static func edgeID(_ k: Int) -> String { "e\(k)" }
    /// The DOT id of the output's trailing edge (its value above, the seed below).
    public static let outputEdgeID = "out"
}
