/// A spec as written in the file: nodes in drawing order, nothing resolved yet.
public struct GraphSpec: Sendable {
    public var file: String
    public var title: String?
    public var nodes: [NodeSpec]
    public var output: String
    public var seed: Tensor?
    /// The figure's default edge labels (`values`, `symbols`, `both`, `chain`); the
    /// command line's `--labels` overrides it.
    public var labels: String?
    /// A Markdown post's block asks for its figure step by step (`steps: true`: one image
    /// per step) or animated (`animate: true`); the command line asks with `--steps` and
    /// `--animate` instead.
    public var steps: Bool?
    public var animate: Bool?

    /// The values `labels` may take.
    public static let labelModes = ["values", "symbols", "both", "chain"]

    public init(file: String, title: String? = nil, nodes: [NodeSpec], output: String, seed: Tensor? = nil,
                labels: String? = nil) {
        self.file = file
        self.title = title
        self.nodes = nodes
        self.output = output
        self.seed = seed
        self.labels = labels
    }
}

public struct NodeSpec: Sendable {
    public enum Input: Sendable, Equatable {
        case node(String)
        case constant(Tensor)
    }

    public var id: String
    public var op: String?
    public var value: Tensor?
    public var isConstant: Bool
    public var inputs: [Input]
    public var attributes: [String: Double]
    public var label: String?
    public var name: String?
    public var group: String?
    /// Where the node was written, for messages (`nodes[2] "c"`).
    public var place: String

    public init(id: String, op: String? = nil, value: Tensor? = nil, isConstant: Bool = false,
                inputs: [Input] = [], attributes: [String: Double] = [:],
                label: String? = nil, name: String? = nil, group: String? = nil, place: String? = nil) {
        self.id = id
        self.op = op
        self.value = value
        self.isConstant = isConstant
        self.inputs = inputs
        self.attributes = attributes
        self.label = label
        self.name = name
        self.group = group
        self.place = place ?? "node \"\(id)\""
    }
}

public enum SpecFormat: String, Sendable, CaseIterable {
    case json, yaml

    /// The format a file name implies, or nil for stdin and unknown extensions.
    public static func from(fileName: String) -> SpecFormat? {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        return nil
    }

    /// JSON when the text starts with `{` or `[`, YAML otherwise.
    public static func sniff(_ text: String) -> SpecFormat {
        let first = text.unicodeScalars.first { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }
        return (first == "{" || first == "[") ? .json : .yaml
    }
}
