import Foundation

/// Spec text → `GraphSpec`. Rejects what cannot be read (syntax, types, malformed
/// tensors); what the nodes mean is checked when the `Graph` is built.
public enum SpecDecoder {
    static let topLevelKeys = ["title", "nodes", "output", "seed", "expr", "values", "name", "labels", "steps", "animate"]
    static let nodeKeys = ["id", "op", "in", "value", "const", "label", "name", "group"]

    /// Decodes spec text. `file` names the spec in messages; `format` defaults to the
    /// file's extension, or to sniffing the text.
    public static func decode(_ text: String, file: String, format: SpecFormat? = nil) throws -> GraphSpec {
        let format = format ?? SpecFormat.from(fileName: file) ?? SpecFormat.sniff(text)
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let tree: SpecValue
        switch format {
        case .json: tree = try JSONReader.parse(text, file: file)
        case .yaml: tree = try YAMLReader.parse(text, file: file)
        }
        return try decode(tree, file: file)
    }

    /// Decodes an already parsed tree.
    public static func decode(_ tree: SpecValue, file: String) throws -> GraphSpec {
        var problems = Problems(file: file)
        guard case .object(let members) = tree.kind else {
            throw SpecError(Diagnostic(file: file, message: "the spec must be an object with \"nodes\" and \"output\", found \(tree.typeDescription)"))
        }
        for (key, _) in members where !topLevelKeys.contains(key) {
            if let guess = nearest(key, in: topLevelKeys) {
                problems.add(nil, "unknown key \"\(key)\" (did you mean \"\(guess)\"?)")
            }
        }
        if tree["expr"] != nil {
            if !problems.diagnostics.isEmpty { throw SpecError(problems.diagnostics) }
            return try ExpressionSpec.decode(tree, file: file)
        }

        let title = problems.string(tree["title"], "title")
        var nodes: [NodeSpec] = []
        if let nodesValue = tree["nodes"] {
            if case .array(let elements) = nodesValue.kind {
                if elements.isEmpty { problems.add("nodes", "the list of nodes is empty") }
                for (index, element) in elements.enumerated() {
                    if let node = decodeNode(element, index: index, problems: &problems) { nodes.append(node) }
                }
            } else {
                problems.add("nodes", "must be a list of nodes, found \(nodesValue.typeDescription)")
            }
        } else {
            problems.add(nil, "missing \"nodes\" (the list of nodes)")
        }

        var output = ""
        if let outputValue = tree["output"] {
            if case .string(let s) = outputValue.kind, !s.isEmpty { output = s }
            else { problems.add("output", "must be the id of a node, found \(outputValue.typeDescription)") }
        } else {
            problems.add(nil, "missing \"output\" (the id of the node whose gradient is seeded)")
        }

        var seed: Tensor?
        if let seedValue = tree["seed"] {
            seed = problems.tensor(seedValue, "seed")
        }

        let labels = problems.labels(tree["labels"])
        let steps = problems.bool(tree["steps"], "steps"), animate = problems.bool(tree["animate"], "animate")
        if steps == true && animate == true { problems.add(nil, "\"steps\" and \"animate\" cannot both be true: choose one image per step or one animation") }

        if !problems.diagnostics.isEmpty { throw SpecError(problems.diagnostics) }
        var spec = GraphSpec(file: file, title: title, nodes: nodes, output: output, seed: seed, labels: labels)
        spec.steps = steps
        spec.animate = animate
        return spec
    }

    private static func decodeNode(_ value: SpecValue, index: Int, problems: inout Problems) -> NodeSpec? {
        var place = "nodes[\(index)]"
        guard case .object(let members) = value.kind else {
            problems.add(place, "must be an object with an \"id\", found \(value.typeDescription)")
            return nil
        }
        guard let idValue = value["id"] else {
            problems.add(place, "missing \"id\"")
            return nil
        }
        guard case .string(let id) = idValue.kind, !id.isEmpty else {
            problems.add(place, "\"id\" must be a non-empty string, found \(idValue.typeDescription)")
            return nil
        }
        if let bad = id.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            problems.add(place, "\"id\" contains the control character U+\(String(format: "%04X", bad.value))")
            return nil
        }
        if id.count > Problems.maximumTextLength {
            problems.add(place, "\"id\" is longer than \(Problems.maximumTextLength) characters")
            return nil
        }
        place += " \"\(id)\""
        let before = problems.diagnostics.count

        var attributes: [String: Double] = [:]
        for (key, attribute) in members where !nodeKeys.contains(key) {
            if Op.attributeNames.contains(key) {
                if case .number(let n) = attribute.kind { attributes[key] = n }
                else { problems.add(place, "attribute \"\(key)\" must be a number, found \(attribute.typeDescription)") }
            } else if let guess = nearest(key, in: nodeKeys + Op.attributeNames) {
                problems.add(place, "unknown key \"\(key)\" (did you mean \"\(guess)\"?)")
            }
        }

        var op: String?
        if let opValue = value["op"] {
            if case .string(let s) = opValue.kind { op = s }
            else { problems.add(place, "\"op\" must be a string, found \(opValue.typeDescription)") }
        }
        var tensor: Tensor?
        if let v = value["value"] { tensor = problems.tensor(v, place + ": value") }
        var isConstant = false
        if let c = value["const"] {
            if case .bool(let b) = c.kind { isConstant = b }
            else { problems.add(place, "\"const\" must be true or false, found \(c.typeDescription)") }
        }
        var inputs: [NodeSpec.Input] = []
        if let inValue = value["in"] {
            if case .array(let elements) = inValue.kind {
                for (k, element) in elements.enumerated() {
                    switch element.kind {
                    case .string(let ref): inputs.append(.node(ref))
                    case .number, .array:
                        if let t = problems.tensor(element, place + ": in[\(k)]") { inputs.append(.constant(t)) }
                    default:
                        problems.add(place, "in[\(k)] must be a node id or a number, found \(element.typeDescription)")
                    }
                }
            } else {
                problems.add(place, "\"in\" must be a list of inputs, found \(inValue.typeDescription)")
            }
        }
        let label = problems.string(value["label"], place + ": label")
        let name = problems.string(value["name"], place + ": name")
        let group = problems.string(value["group"], place + ": group")

        if value["op"] == nil && value["value"] == nil {
            problems.add(place, "needs a \"value\" (an input) or an \"op\"")
        } else if value["op"] != nil && value["value"] != nil {
            problems.add(place, "has both \"op\" and \"value\"; an input has a value, an op node has inputs")
        } else if value["op"] == nil && value["in"] != nil {
            problems.add(place, "has \"in\" but no \"op\"")
        } else if value["op"] != nil && isConstant {
            problems.add(place, "\"const\" is for inputs; an op node's value is computed")
        }
        if problems.diagnostics.count > before { return nil }
        return NodeSpec(id: id, op: op, value: tensor, isConstant: isConstant, inputs: inputs,
                        attributes: attributes, label: label, name: name, group: group, place: place)
    }

    /// A number or a rectangular nested array of numbers.
    public static func tensor(from value: SpecValue) -> Result<Tensor, TensorLiteralError> {
        var shape: [Int] = []
        var data: [Double] = []
        // Walk the first element of each level to learn the shape.
        var probe = value
        while case .array(let elements) = probe.kind {
            if elements.isEmpty { return .failure(.empty) }
            shape.append(elements.count)
            probe = elements[0]
            if shape.count > 8 { return .failure(.tooDeep) }
        }
        // The same cap as a computed value's, checked before any number is copied.
        if (try? Graph.checkSize(shape)) == nil { return .failure(.tooLarge(shape)) }
        data.reserveCapacity(shape.reduce(1, *))
        func fill(_ v: SpecValue, depth: Int, path: String) -> TensorLiteralError? {
            if depth == shape.count {
                switch v.kind {
                case .number(let n): data.append(n); return nil
                case .array: return .ragged(path)
                default: return .notANumber(path, v)
                }
            }
            guard case .array(let elements) = v.kind else {
                if case .number = v.kind { return .ragged(path) }
                return .notANumber(path, v)
            }
            if elements.count != shape[depth] { return .ragged(path) }
            for (i, e) in elements.enumerated() {
                if let problem = fill(e, depth: depth + 1, path: path + "[\(i)]") { return problem }
            }
            return nil
        }
        if let problem = fill(value, depth: 0, path: "") { return .failure(problem) }
        return .success(Tensor(shape: shape, data: data))
    }

    public enum TensorLiteralError: Error {
        case empty, tooDeep
        case tooLarge([Int])
        case ragged(String)
        case notANumber(String, SpecValue)

        public var message: String {
            switch self {
            case .empty: return "an empty array is not a value"
            case .tooDeep: return "arrays nested more than 8 deep are not supported"
            case .tooLarge(let shape): return "a value of shape \(describeShape(shape)) is too large (at most \(Graph.maximumElements) elements)"
            case .ragged(let path): return "ragged array: \(path.isEmpty ? "the value" : "element " + path) does not match the shape of the first row"
            case .notANumber(let path, let v):
                let what: String
                if case .string(let s) = v.kind { what = "the string \"\(s)\"" } else { what = v.typeDescription }
                return "expected a number\(path.isEmpty ? "" : " at " + path), found \(what)"
            }
        }
    }

    /// The closest name within a small edit distance, for "did you mean" hints.
    public static func nearest(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = word.count <= 4 ? 1 : 2
        return best.1 <= limit && best.1 < word.count ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Collects diagnostics while decoding, so that all independent problems are reported at once.
struct Problems {
    let file: String
    var diagnostics: [Diagnostic] = []

    mutating func add(_ place: String?, _ message: String) {
        diagnostics.append(Diagnostic(file: file, place: place, message: message))
    }

    /// Text longer than this (a title, label, name or group) cannot make a legible figure.
    static let maximumTextLength = 500

    mutating func string(_ value: SpecValue?, _ place: String) -> String? {
        guard let value else { return nil }
        if case .string(let s) = value.kind {
            if s.count > Self.maximumTextLength {
                add(place, "is longer than \(Self.maximumTextLength) characters")
                return nil
            }
            return s
        }
        if case .null = value.kind { return nil }
        add(place, "must be a string, found \(value.typeDescription)")
        return nil
    }

    /// `true` or `false` (or null: not given).
    mutating func bool(_ value: SpecValue?, _ place: String) -> Bool? {
        guard let value else { return nil }
        if case .bool(let b) = value.kind { return b }
        if case .null = value.kind { return nil }
        add(place, "must be true or false, found \(value.typeDescription)")
        return nil
    }

    /// The spec's default edge labels, one of `GraphSpec.labelModes`.
    mutating func labels(_ value: SpecValue?) -> String? {
        guard let mode = string(value, "labels") else { return nil }
        if GraphSpec.labelModes.contains(mode) { return mode }
        add("labels", "must be one of " + GraphSpec.labelModes.map { "\"\($0)\"" }.joined(separator: ", ") + ", got \"\(mode)\"")
        return nil
    }

    mutating func tensor(_ value: SpecValue, _ place: String) -> Tensor? {
        switch SpecDecoder.tensor(from: value) {
        case .success(let t): return t
        case .failure(let e): add(place, e.message); return nil
        }
    }
}
