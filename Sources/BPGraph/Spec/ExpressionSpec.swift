import Foundation

/// The expression form of a spec: `{"expr": "y = 1 / (1 + exp(-x))", "values": {"x": 0.5}}`,
/// lowered to the same nodes a person would list (see `ExpressionLowering`).
public enum ExpressionSpec {
    static let keys = ["expr", "values", "title", "seed", "labels", "steps", "animate"]

    /// Decodes the expression form of a parsed spec file.
    static func decode(_ tree: SpecValue, file: String) throws -> GraphSpec {
        var problems = Problems(file: file)
        for key in ["nodes", "output"] where tree[key] != nil {
            let why = key == "nodes" ? "an expression spec lists no nodes" : "the left-hand side of the expression names the output"
            problems.add(nil, "\"\(key)\" cannot be used with \"expr\": \(why)")
        }
        var expression: String?
        if let value = tree["expr"] {
            if case .string(let s) = value.kind { expression = s }
            else { problems.add("expr", "must be a string such as \"y = 1 / (1 + exp(-x))\", found \(value.typeDescription)") }
        }
        var values: [(name: String, value: Tensor)] = []
        if let valuesValue = tree["values"] {
            if case .object(let members) = valuesValue.kind {
                for (name, value) in members {
                    if let tensor = problems.tensor(value, "values \"\(name)\"") { values.append((name, tensor)) }
                }
            } else if case .null = valuesValue.kind {
            } else {
                problems.add("values", "must be an object of variable values such as {\"x\": 0.5}, found \(valuesValue.typeDescription)")
            }
        }
        let title = problems.string(tree["title"], "title")
        let seed = tree["seed"].flatMap { problems.tensor($0, "seed") }
        let labels = problems.labels(tree["labels"])
        let steps = problems.bool(tree["steps"], "steps"), animate = problems.bool(tree["animate"], "animate")
        if steps == true && animate == true { problems.add(nil, "\"steps\" and \"animate\" cannot both be true: choose one image per step or one animation") }
        guard let expression, problems.diagnostics.isEmpty else { throw SpecError(problems.diagnostics) }
        var result = try spec(expression: expression, values: values, title: title, seed: seed, file: file)
        result.labels = labels
        result.steps = steps
        result.animate = animate
        return result
    }

    /// Lowers an expression with values for its variables to a spec. `exprPlace` and
    /// `valuesPlace` name where they came from in messages ("expr" and "values" in a file,
    /// "--expr" and "--value" on the command line).
    public static func spec(expression: String, values: [(name: String, value: Tensor)],
                            title: String? = nil, seed: Tensor? = nil, file: String,
                            exprPlace: String = "expr", valuesPlace: String = "values") throws -> GraphSpec {
        let parsed: ParsedExpression
        do {
            parsed = try ExpressionParser.parse(expression)
        } catch {
            throw SpecError(diagnostic(error, in: expression, file: file, place: exprPlace))
        }
        var diagnostics: [Diagnostic] = []
        var lowered: ExpressionLowering.Result?
        do {
            lowered = try ExpressionLowering.lower(parsed, place: exprPlace)
        } catch {
            diagnostics += error.errors.map { diagnostic($0, in: expression, file: file, place: exprPlace) }
        }

        // Values: one for every variable, none for anything else.
        let variables = ExpressionLowering.variables(parsed)
        // Names written anywhere, exponents included: a value for `z` in `x^z` is not the problem there.
        let mentioned = Set(parsed.nodes.compactMap { node -> String? in
            if case .variable(let name) = node.kind { return name } else { return nil }
        })
        var given: [String: Tensor] = [:]
        for (name, value) in values {
            if given[name] != nil {
                diagnostics.append(Diagnostic(.unusedValue(variable: name), file: file, place: valuesPlace, message: "\"\(name)\" is given more than once"))
            } else if name == parsed.output {
                diagnostics.append(Diagnostic(.unusedValue(variable: name), file: file, place: valuesPlace,
                                              message: "\"\(name)\" is the output, computed by the expression; it takes no value"))
            } else if !mentioned.contains(name) {
                // One-letter names are all one edit apart: list the variables instead of guessing.
                let hint = name.count < 3 ? "" : SpecDecoder.nearest(name, in: variables).map { " (did you mean \"\($0)\"?)" } ?? ""
                let known = variables.isEmpty ? "the expression has no variables"
                    : "its variables are " + variables.map { "\"\($0)\"" }.joined(separator: ", ")
                diagnostics.append(Diagnostic(.unusedValue(variable: name), file: file, place: valuesPlace,
                                              message: "\"\(name)\" is not a variable of the expression\(hint.isEmpty ? " (\(known))" : hint)"))
            }
            given[name] = given[name] ?? value
        }
        for name in variables where given[name] == nil {
            diagnostics.append(Diagnostic(.missingValue(variable: name), file: file, place: valuesPlace, message: "missing a value for \"\(name)\""))
        }
        guard diagnostics.isEmpty, let lowered else { throw SpecError(diagnostics) }

        let inputs = lowered.variables.map { name in
            NodeSpec(id: name, value: given[name]!, name: name, place: "\(valuesPlace) \"\(name)\"")
        }
        return GraphSpec(file: file, title: title, nodes: inputs + lowered.operations, output: parsed.output, seed: seed)
    }

    /// The expression form given on the command line: `-e 'L = (x + y) * z' --value x=-2 …`.
    /// Each value is `NAME=NUMBER` or `NAME=[…]` (a JSON array for a vector or a matrix).
    public static func commandLine(expression: String, values: [String], title: String? = nil,
                                   file: String = "<command line>") throws -> GraphSpec {
        var parsedValues: [(name: String, value: Tensor)] = []
        var diagnostics: [Diagnostic] = []
        for assignment in values {
            do { parsedValues.append(try value(assignment, file: file)) } catch let error as SpecError { diagnostics += error.diagnostics }
        }
        do {
            let spec = try spec(expression: expression, values: parsedValues, title: title, file: file,
                                exprPlace: "--expr", valuesPlace: "--value")
            if !diagnostics.isEmpty { throw SpecError(diagnostics) }
            return spec
        } catch let error as SpecError {
            // Unreadable values are reported first; "missing a value" for them would only repeat it.
            let unreadable = Set(values.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
            let rest = error.diagnostics.filter { d in
                guard case .missingValue(let name) = d.kind else { return true }
                return !unreadable.contains(name)
            }
            throw SpecError(diagnostics + rest)
        }
    }

    /// `x=-2`, `W=[[1,2],[3,4]]`.
    static func value(_ assignment: String, file: String) throws -> (name: String, value: Tensor) {
        let place = "--value \"\(assignment)\""
        guard let equals = assignment.firstIndex(of: "=") else {
            throw SpecError(Diagnostic(.malformedAssignment, file: file, place: place, message: "expected NAME=VALUE, such as x=0.5 or W=[[1,2],[3,4]]"))
        }
        let name = assignment[..<equals].trimmingCharacters(in: .whitespaces)
        let text = assignment[assignment.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            throw SpecError(Diagnostic(file: file, place: place, message: "the variable's name is missing before '='"))
        }
        if let number = Double(text) {
            guard number.isFinite else {
                throw SpecError(Diagnostic(file: file, place: place, message: "\(text) is not a finite number"))
            }
            return (name, Tensor(number))
        }
        let tree: SpecValue
        do {
            tree = try JSONReader.parse(text, file: file)
        } catch let error as SpecError {
            let why = error.diagnostics.first.map(\.message) ?? "unreadable"
            throw SpecError(Diagnostic(file: file, place: place, message: "expected a number or a JSON array (\(why))"))
        }
        switch SpecDecoder.tensor(from: tree) {
        case .success(let tensor): return (name, tensor)
        case .failure(let problem): throw SpecError(Diagnostic(file: file, place: place, message: problem.message))
        }
    }

    /// `expr: unexpected ')' at column 9`, then the expression's line and a caret under the column.
    static func diagnostic(_ error: ExpressionError, in expression: String, file: String, place: String) -> Diagnostic {
        let text = Array(expression)
        let offset = min(max(error.offset, 0), text.count)
        var lineStart = offset
        while lineStart > 0 && text[lineStart - 1] != "\n" { lineStart -= 1 }
        var lineEnd = offset
        while lineEnd < text.count && text[lineEnd] != "\n" { lineEnd += 1 }
        let column = offset - lineStart + 1
        let isMultiline = text.contains("\n")
        let lineNumber = text[..<lineStart].filter { $0 == "\n" }.count + 1
        let position = isMultiline ? "line \(lineNumber), column \(column)" : "column \(column)"
        // A long line is shown as a window around the column.
        var shownStart = lineStart, shownEnd = lineEnd
        if lineEnd - lineStart > 100 {
            shownStart = max(lineStart, offset - 60)
            shownEnd = min(lineEnd, max(offset, shownStart) + 40)
        }
        var line = String(text[shownStart..<shownEnd])
        if line.hasSuffix("\r") { line.removeLast() }
        if shownStart > lineStart { line = "…" + line }
        if shownEnd < lineEnd { line += "…" }
        let caret = text[shownStart..<offset].count + (shownStart > lineStart ? 1 : 0)
        return Diagnostic(.syntax, file: file, place: place, message: "\(error.message) at \(position)\(error.hint)",
                          excerpt: Diagnostic.Excerpt(text: line, caret: caret))
    }
}
