import Foundation
import Yams

/// Reads YAML (through Yams) into the same `SpecValue` tree as JSON.
enum YAMLReader {
    /// Aliases can make a small file expand enormously ("billion laughs"); stop well before that.
    static let maximumValues = 5_000_000
    /// Values that aliases may add beyond those written: far more than reusing a few
    /// matrices needs, and refused in milliseconds, before anything is expanded.
    static let maximumAliasedValues = 100_000
    static let maximumDepth = 256

    static func parse(_ text: String, file: String) throws -> SpecValue {
        if text.allSatisfy({ $0.isWhitespace }) {
            throw SpecError(Diagnostic(file: file, message: "the spec is empty"))
        }
        if exceedsNesting(text) {
            throw SpecError(Diagnostic(.syntax, file: file, message: "invalid YAML: nested more than \(maximumDepth) levels deep"))
        }
        let node: Node?
        // The parser owns the anchors that the tree's aliased nodes point to (weakly): it
        // stays alive until the size of the expanded tree is known.
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
            node = try parser.singleRoot()
        } catch let error as YamlError {
            throw SpecError(diagnostic(for: error, file: file))
        }
        guard let node else { throw SpecError(Diagnostic(file: file, message: "the spec is empty")) }
        try withExtendedLifetime(parser) {
            // An alias shares its anchor's node, so the expanded size is counted with each
            // anchor measured once: linear in the text, whatever the aliases multiply to.
            var memo: [ObjectIdentifier: Int] = [:]
            var written = 0
            let expanded = measure(node, depth: 0, memo: &memo, written: &written)
            if expanded > maximumValues || expanded - written > maximumAliasedValues {
                let why = expanded > maximumValues ? "more than \(maximumValues) values" : "aliases repeat more than \(maximumAliasedValues) values"
                throw SpecError(Diagnostic(.syntax, file: file, location: location(node),
                                           message: "invalid YAML: the document expands to too many values (\(why))"))
            }
        }
        var budget = maximumValues
        return try convert(node, file: file, budget: &budget, depth: 0)
    }

    /// The number of values in the tree with every alias expanded (saturating past
    /// `maximumValues`), and in `written` the number as written, each alias counting one.
    private static func measure(_ node: Node, depth: Int, memo: inout [ObjectIdentifier: Int], written: inout Int) -> Int {
        let cap = maximumValues + maximumAliasedValues + 1
        let key = node.anchor.map(ObjectIdentifier.init)
        if let key, let known = memo[key] {
            written += 1
            return known
        }
        written += 1
        if depth > maximumDepth { return cap }
        var total = 1
        switch node {
        case .sequence(let sequence):
            for element in sequence where total < cap {
                total += measure(element, depth: depth + 1, memo: &memo, written: &written)
            }
        case .mapping(let mapping):
            for (key, value) in mapping where total < cap {
                total += measure(key, depth: depth + 1, memo: &memo, written: &written)
                total += measure(value, depth: depth + 1, memo: &memo, written: &written)
            }
        case .scalar, .alias:
            break
        }
        total = min(total, cap)
        if let key { memo[key] = total }
        return total
    }

    private static func exceedsNesting(_ text: String) -> Bool {
        var depth = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
                if depth > maximumDepth { return true }
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth = max(0, depth - 1)
            }
        }
        return false
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func clean(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return Diagnostic(.syntax, file: file, location: SourceLocation(line: mark.line, column: mark.column),
                              message: "invalid YAML: \(clean(problem))",
                              note: context.map { Diagnostic.Note(text: clean($0.text), line: $0.mark.line) })
        case let .reader(problem, _, _, _):
            return Diagnostic(.syntax, file: file, message: "invalid YAML: \(clean(problem))")
        default:
            let text = String(describing: error).split(separator: "\n").first.map(String.init) ?? "unreadable"
            return Diagnostic(.syntax, file: file, message: "invalid YAML: \(text)")
        }
    }

    private static func location(_ node: Node) -> SourceLocation? {
        node.mark.map { SourceLocation(line: $0.line, column: $0.column) }
    }

    private static func convert(_ node: Node, file: String, budget: inout Int, depth: Int) throws -> SpecValue {
        budget -= 1
        if budget < 0 || depth > maximumDepth {
            throw SpecError(Diagnostic(.syntax, file: file, location: location(node), message: "invalid YAML: the document expands to too many values"))
        }
        switch node {
        case .alias(let alias):
            throw SpecError(Diagnostic(.syntax, file: file, location: alias.mark.map { SourceLocation(line: $0.line, column: $0.column) },
                                       message: "invalid YAML: unresolved alias"))
        case .scalar(let scalar):
            let at = location(node)
            if scalar.style != .plain { return SpecValue(.string(scalar.string), at: at) }
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return SpecValue(.null, at: at)
            case .bool: return SpecValue(.bool(node.bool ?? false), at: at)
            case .int, .float:
                let lowered = scalar.string.lowercased()
                if lowered.contains("nan") || lowered.contains("inf") {
                    throw SpecError(Diagnostic(.syntax, file: file, location: at, message: "\(scalar.string) is not a finite number"))
                }
                guard let number = node.float ?? node.int.map(Double.init), number.isFinite else {
                    throw SpecError(Diagnostic(.syntax, file: file, location: at, message: "number \(scalar.string) is out of range"))
                }
                return SpecValue(.number(number), at: at)
            default:
                return SpecValue(.string(scalar.string), at: at)
            }
        case .sequence(let sequence):
            var elements: [SpecValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                elements.append(try convert(element, file: file, budget: &budget, depth: depth + 1))
            }
            return SpecValue(.array(elements), at: location(node))
        case .mapping(let mapping):
            var members: [(key: String, value: SpecValue)] = []
            var keys = Set<String>()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw SpecError(Diagnostic(.syntax, file: file, location: location(key), message: "invalid YAML: keys must be plain strings"))
                }
                if !keys.insert(keyScalar.string).inserted {
                    throw SpecError(Diagnostic(.syntax, file: file, location: location(key), message: "duplicate key \"\(keyScalar.string)\""))
                }
                members.append((keyScalar.string, try convert(value, file: file, budget: &budget, depth: depth + 1)))
            }
            return SpecValue(.object(members), at: location(node))
        }
    }
}
