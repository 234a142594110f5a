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

/// One problem: its kind, its place (the file, a line and column for syntax, or a node's
/// path such as `nodes[2] "c"`) and what is wrong. Printed as `file: place: message` (or
/// `file:line:col: message` for syntax errors), followed for an expression by the line at
/// fault and a caret under the column.
///
/// Callers that rework a problem (a Markdown post moving it to the post's lines, the
/// command line dropping one that repeats another) look at its `kind`, `location` and
/// `note`, never at its wording. This is where a diagnostic becomes text (`lines`), and
/// the one place user text in it is made printable: the file, place and message are one
/// line each, with control and format characters escaped (`MessageText`), so a newline or
/// an ESC sequence in an op, an id or a value can neither split the problem over lines
/// nor act on the terminal.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem this is: what a caller may act on.
    public enum Kind: Equatable, Sendable {
        /// What the spec says is wrong (an unknown op, a bad shape, …): the default.
        case spec
        /// The text cannot be read: JSON, YAML, or an expression's syntax.
        case syntax
        /// An expression's variable has no value.
        case missingValue(variable: String)
        /// A value given for a name that cannot take one (given twice, the output, not a variable).
        case unusedValue(variable: String)
        /// A value assignment without `=` (`--value x`, a value line of a post's block).
        case malformedAssignment
        /// Past a limit that keeps work bounded (`--max-nodes`, the PNG's size).
        case limit
        /// Drawing failed (Graphviz, the light/dark merge).
        case render
        /// A file or stream cannot be read or written, or is not what was expected.
        case file
        /// `check`: a backpropagated gradient differs from finite differences.
        case gradientCheck
        /// The command line itself is wrong: an unknown flag, no file given, flags that do
        /// not go together. Its `file` is the command (`bpgraph render`); exit code 2.
        case usage
    }

    public var kind: Kind
    public var file: String
    public var location: SourceLocation?
    public var place: String?
    public var message: String
    /// The source line shown under the message, with a caret under the column.
    public var excerpt: Excerpt?
    /// A second place the message refers to, written after it: YAML's
    /// `(while parsing a flow mapping at line 5)`.
    public var note: Note?

    /// A window of the line at fault (`text`, "…" marking cut ends) and the number of
    /// its characters before the caret.
    public struct Excerpt: Equatable, Sendable {
        public var text: String
        public var caret: Int
        public init(text: String, caret: Int) { self.text = text; self.caret = caret }
    }

    /// `(text at line N)` after the message.
    public struct Note: Equatable, Sendable {
        public var text: String
        public var line: Int
        public init(text: String, line: Int) { self.text = text; self.line = line }
    }

    public init(_ kind: Kind = .spec, file: String, location: SourceLocation? = nil, place: String? = nil, message: String,
                excerpt: Excerpt? = nil, note: Note? = nil) {
        self.kind = kind
        self.file = file
        self.location = location
        self.place = place
        self.message = message
        self.excerpt = excerpt
        self.note = note
    }

    /// The message as printed after the place: with its note, if any.
    public var text: String {
        guard let note else { return message }
        return message + " (\(note.text) at line \(note.line))"
    }

    /// The lines printed for this problem: the message, then the excerpt and its caret.
    public var lines: [String] {
        var head = file
        if let location { head += ":\(location.line):\(location.column)" }
        if let place, !place.isEmpty { head += ": \(place)" }
        var lines = [MessageText.escaped("\(head): \(text)")]
        if let excerpt {
            // The caret line keeps the line's tabs and the width of wide characters and
            // of escapes, so the caret lands under the column.
            var shown = "", pad = ""
            for (k, c) in excerpt.text.enumerated() {
                let text = MessageText.escaped(String(c))
                shown += text
                if k < excerpt.caret { pad += c == "\t" ? "\t" : String(repeating: " ", count: text == String(c) && Self.isWide(c) ? 2 : text.count) }
            }
            lines += ["  " + shown, "  " + pad + "^"]
        }
        return lines
    }

    public var description: String { lines.joined(separator: "\n") }

    /// East Asian wide and fullwidth characters take two terminal columns.
    static func isWide(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value else { return false }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

/// All the independent problems found in one spec.
public struct SpecError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
