import Foundation

/// A block's spec and the alternative text for its image.
public struct MarkdownBlockSpec: Sendable {
    public var spec: GraphSpec
    public var alt: String
}

extension MarkdownBlock {
    /// The name messages give this block: `post.md:23` (the line of its opening fence).
    public func displayName(in post: String) -> String { "\(post):\(line)" }

    /// Decodes the block's spec. Three forms, told apart by the first line that is neither
    /// blank nor a `#` comment:
    /// - `{` starts a JSON spec;
    /// - `key:` (or `- `) starts a YAML spec, e.g. `expr: y = 1 / (1 + exp(-x))` and `values: {x: 0.5}`;
    /// - anything else is an expression, `y = 1 / (1 + exp(-x))`, and each following line
    ///   gives one variable's value as `x = 0.5` or `W = [[1, 2], [3, 4]]`.
    ///
    /// Problems are reported against the post: `post.md:25: …` for the line at fault, or
    /// `post.md:23: …` (the opening fence) for problems of the spec as a whole.
    public func spec(in post: String) throws -> MarkdownBlockSpec {
        let name = displayName(in: post)
        let meaningful = contentLines.filter { line in
            let t = line.text.trimmingCharacters(in: .whitespaces)
            return !t.isEmpty && !t.hasPrefix("#")
        }
        guard let first = meaningful.first else {
            throw SpecError(Diagnostic(file: name, message: "the ```bpgraph block is empty; write a spec (JSON or YAML) or an expression such as y = 1 / (1 + exp(-x))"))
        }
        let head = first.text.trimmingCharacters(in: .whitespaces)
        if head.hasPrefix("{") || head.hasPrefix("[") {
            return try decodeTree(format: .json, name: name, post: post)
        }
        if Self.looksLikeYAMLKey(head) || head.hasPrefix("- ") || head == "-" || head == "---" {
            return try decodeTree(format: .yaml, name: name, post: post)
        }
        return try decodeExpression(first, values: Array(meaningful.dropFirst()), post: post)
    }

    /// JSON or YAML: the same decoder as spec files, with syntax errors moved to the post's lines.
    private func decodeTree(format: SpecFormat, name: String, post: String) throws -> MarkdownBlockSpec {
        do {
            let spec = try SpecDecoder.decode(content, file: name, format: format)
            // The alt text: the title, else the expression of an `expr` spec.
            var expression: String?
            if spec.title == nil {
                let tree = try? (format == .json ? JSONReader.parse(content, file: name) : YAMLReader.parse(content, file: name))
                if case .string(let text)? = tree?["expr"]?.kind { expression = text }
            }
            return MarkdownBlockSpec(spec: spec, alt: spec.title ?? expression ?? "computational graph")
        } catch let error as SpecError {
            throw SpecError(error.diagnostics.map { d in
                guard let location = d.location else { return d }
                let index = location.line - 1
                guard contentLines.indices.contains(index) else {
                    return Diagnostic(d.kind, file: d.file, place: d.place, message: d.message, note: d.note)
                }
                var moved = d
                moved.file = post
                moved.location = SourceLocation(line: contentLines[index].line, column: location.column)
                // YAML's "(while parsing … at line 2)": the block's line, made the post's.
                if let note = d.note, contentLines.indices.contains(note.line - 1) {
                    moved.note = Diagnostic.Note(text: note.text, line: contentLines[note.line - 1].line)
                }
                return moved
            })
        }
    }

    /// `y = 1 / (1 + exp(-x))` then `x = 0.5` lines.
    private func decodeExpression(_ expression: ContentLine, values valueLines: [ContentLine], post: String) throws -> MarkdownBlockSpec {
        var diagnostics: [Diagnostic] = []
        var values: [(name: String, value: Tensor)] = []
        var lineOfName: [String: Int] = [:]
        var flags: [String: Bool] = [:]
        for valueLine in valueLines {
            let file = "\(post):\(valueLine.line)"
            let text = valueLine.text.trimmingCharacters(in: .whitespaces)
            // `steps: true` / `animate: true` (or false): how the figure is drawn.
            if let colon = text.firstIndex(of: ":"), !text.contains("="),
               case let key = text[..<colon].trimmingCharacters(in: .whitespaces), key == "steps" || key == "animate" {
                let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard value == "true" || value == "false" else {
                    diagnostics.append(Diagnostic(file: file, message: "\(key) must be true or false, got \"\(value)\""))
                    continue
                }
                flags[key] = value == "true"
                continue
            }
            do {
                let value = try ExpressionSpec.value(text, file: file)
                values.append(value)
                lineOfName[value.name] = valueLine.line  // a repeated name is reported at its last line
            } catch let error as SpecError {
                diagnostics += error.diagnostics.map { d in
                    let message = d.kind == .malformedAssignment
                        ? "expected a value line NAME = VALUE after the expression, such as x = 0.5 or W = [[1, 2], [3, 4]]"
                        : d.message
                    return Diagnostic(d.kind, file: file, message: message)
                }
            }
        }
        let text = expression.text.trimmingCharacters(in: .whitespaces)
        let file = "\(post):\(expression.line)"
        let spec: GraphSpec
        do {
            spec = try ExpressionSpec.spec(expression: text, values: values, file: file, exprPlace: "", valuesPlace: "values")
        } catch let error as SpecError {
            // A problem with one variable's value is reported at that value's line.
            let unreadable = diagnostics.count
            let rest: [Diagnostic] = error.diagnostics.compactMap { d in
                guard d.place == "values" else { return d }
                switch d.kind {
                case .missingValue(let name):
                    // An unreadable value line was reported already.
                    if unreadable > 0 { return nil }
                    return Diagnostic(d.kind, file: file, message: d.message + " (add a line such as \(name) = 0.5 after the expression)")
                case .unusedValue(let name):
                    if let line = lineOfName[name] {
                        return Diagnostic(d.kind, file: "\(post):\(line)", message: d.message, excerpt: d.excerpt)
                    }
                default: break
                }
                return Diagnostic(d.kind, file: file, message: d.message, excerpt: d.excerpt)
            }
            throw SpecError(diagnostics + rest)
        }
        if flags["steps"] == true && flags["animate"] == true {
            diagnostics.append(Diagnostic(file: file, message: "steps and animate cannot both be true: choose one image per step or one animation"))
        }
        if !diagnostics.isEmpty { throw SpecError(diagnostics) }
        var result = spec
        result.steps = flags["steps"]
        result.animate = flags["animate"]
        return MarkdownBlockSpec(spec: result, alt: text)
    }

    /// `nodes:`, `expr:`, `"title":` — a YAML mapping's first key.
    static func looksLikeYAMLKey(_ line: String) -> Bool {
        var rest = Substring(line)
        if let quote = rest.first, quote == "\"" || quote == "'" {
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: quote) else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let key = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            guard !key.isEmpty else { return false }
            rest = rest.dropFirst(key.count)
        }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        guard rest.first == ":" else { return false }
        let after = rest.dropFirst().first
        return after == nil || after == " " || after == "\t"
    }
}
