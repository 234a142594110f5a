/// A position in a spec file (1-based), when the parser knows it.
public struct SourceLocation: Equatable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
}

/// A parsed JSON or YAML document: the common tree that the spec decoder reads,
/// whichever syntax it came from. Objects keep their keys in written order.
public struct SpecValue: Sendable {
    public enum Kind: Sendable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([SpecValue])
        case object([(key: String, value: SpecValue)])
    }
    public var kind: Kind
    public var location: SourceLocation?

    public init(_ kind: Kind, at location: SourceLocation? = nil) {
        self.kind = kind
        self.location = location
    }

    public subscript(key: String) -> SpecValue? {
        if case .object(let members) = kind { return members.first { $0.key == key }?.value }
        return nil
    }

    /// What kind of value this is, for messages ("a string", "an array", …).
    public var typeDescription: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One problem with a spec: the file, the place in it, and what is wrong.
/// Printed as `file: place: message` (or `file:line:col: message` for syntax errors).
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation?
    public var place: String?
    public var message: String

    public init(file: String, location: SourceLocation? = nil, place: String? = nil, message: String) {
        self.file = file
        self.location = location
        self.place = place
        self.message = message
    }

    public var description: String {
        var head = file
        if let location { head += ":\(location.line):\(location.column)" }
        if let place, !place.isEmpty { head += ": \(place)" }
        return "\(head): \(message)"
    }
}

/// All the independent problems found in one spec.
public struct SpecError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
