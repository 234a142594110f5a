import Foundation

/// Turns a parsed expression into spec nodes, the same nodes a person would write to
/// draw the notes' figures:
/// - each variable is an input node whose id and name are the variable's, in order of first appearance;
/// - a number is an anonymous constant in its consumer's `in`; in a sum or a product it
///   comes after the computed operand (`1 + b` is `add(b, 1)`);
/// - `-e` is `mul(e, -1)`, `1 / e` is `reciprocal(e)` drawn as "/", any other `a / b` is `div`;
/// - `a - b` is `sub`, `@` is `matmul`, `e ^ p` is `pow` with the constant `p` as its attribute;
/// - `f(…)` calls the op named f; numbers after its inputs are its attributes, in the op's
///   order (`sum(x, 0)`, `repeat(x, 3, 1)`, `pow(x, 2)`);
/// - intermediate nodes are named a, b, c, … in evaluation order (skipping the variables'
///   names), and the last node takes the left-hand side's name.
struct ExpressionLowering {
    struct Problems: Error { var errors: [ExpressionError] }

    struct Result {
        var variables: [String]
        /// Op nodes in evaluation order; the last one is the output.
        var operations: [NodeSpec]
    }

    /// Every problem found, each at its position; the nodes when there are none.
    static func lower(_ parsed: ParsedExpression, place: String) throws(Problems) -> Result {
        var errors: [ExpressionError] = []
        let nodes = parsed.nodes

        // 1. Constants where a constant is needed (exponents, attributes): folded bottom-up,
        // in list order, so a long chain costs no recursion.
        var constant = [Double?](repeating: nil, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            let c = node.children.map { constant[$0] }
            switch node.kind {
            case .number(let v): constant[i] = v
            case .negate: constant[i] = c[0].map { -$0 }
            case .binary(let op):
                guard let a = c[0], let b = c[1] else { break }
                switch op {
                case .add: constant[i] = a + b
                case .subtract: constant[i] = a - b
                case .multiply: constant[i] = a * b
                case .matmul: constant[i] = nil
                case .divide: constant[i] = a / b
                case .power: constant[i] = Foundation.pow(a, b)
                }
                if let v = constant[i], !v.isFinite { constant[i] = nil }
            case .variable, .call: break
            }
        }

        // 2. Variables, in order of first appearance.
        let constantOnly = constantOnlyNodes(parsed)
        var variables: [String] = []
        var seen = Set<String>()
        for (i, node) in nodes.enumerated() where !constantOnly[i] {
            guard case .variable(let name) = node.kind else { continue }
            if let op = Op.byName[name] {
                errors.append(ExpressionError("\"\(name)\" is a function", at: node.start,
                                              hint: ": call it as \(name)(\(signature(op)))"))
                continue
            }
            if name == parsed.output {
                errors.append(ExpressionError("\"\(name)\" is the output (the left-hand side) and cannot be used on the right", at: node.start))
                continue
            }
            if seen.insert(name).inserted { variables.append(name) }
        }

        // 3. Nodes. `reference[i]` is how node i appears in its consumer's `in`.
        var taken = Set(variables)
        taken.insert(parsed.output)
        var names = NameSequence(taken: taken)
        var reference = [NodeSpec.Input?](repeating: nil, count: nodes.count)
        var operations: [NodeSpec] = []
        for (i, node) in nodes.enumerated() where !constantOnly[i] {
            func snippet() -> String {
                let node = nodes[i]
                if node.end - node.start <= 40 { return parsed.source(i) }
                return String(parsed.text[node.start..<node.start + 39]) + "…"
            }
            func emit(_ op: String, _ inputs: [NodeSpec.Input?], attributes: [String: Double] = [:], label: String? = nil) {
                // A child that failed has no reference; its error is already recorded.
                let resolved = inputs.compactMap { $0 }
                guard resolved.count == inputs.count else { return }
                let isOutput = i == parsed.root
                let id = isOutput ? parsed.output : names.next()
                operations.append(NodeSpec(id: id, op: op, inputs: resolved, attributes: attributes,
                                           label: label, name: isOutput ? parsed.output : nil,
                                           place: (place.isEmpty ? "" : place + " ") + "\"\(snippet())\""))
                reference[i] = .node(id)
            }
            let children = node.children.map { reference[$0] }
            switch node.kind {
            case .number(let v):
                reference[i] = .constant(Tensor(v))
            case .variable(let name):
                if seen.contains(name) { reference[i] = .node(name) }
            case .negate:
                emit("mul", [children[0], .constant(Tensor(-1))])
            case .binary(let op):
                switch op {
                case .add: emit("add", constantsLast(children))
                case .subtract: emit("sub", children)
                case .multiply: emit("mul", constantsLast(children))
                case .matmul: emit("matmul", children)
                case .divide:
                    if case .number(1) = nodes[node.children[0]].kind {
                        emit("reciprocal", [children[1]], label: "/")
                    } else {
                        emit("div", children)
                    }
                case .power:
                    let exponent = node.children[1]
                    guard let p = constant[exponent] else {
                        errors.append(ExpressionError("the exponent of '^' must be a constant number", at: nodes[exponent].start,
                                                      hint: " (found \"\(parsed.source(exponent))\")"))
                        continue
                    }
                    emit("pow", [children[0]], attributes: ["p": p])
                }
            case .call(let name):
                guard let op = Op.byName[name] else {
                    let hint = SpecDecoder.nearest(name, in: Op.all.map(\.name)).map { " (did you mean \"\($0)\"?)" }
                        ?? " (functions: " + Op.all.map(\.name).joined(separator: ", ") + ")"
                    errors.append(ExpressionError("unknown function \"\(name)\"", at: node.start, hint: hint))
                    continue
                }
                let inputCount: Int
                switch op.arity {
                case .exactly(let k): inputCount = k
                case .atLeast(let k): inputCount = Swift.max(k, children.count)
                }
                let required = op.attributes.filter(\.required).count
                guard children.count >= inputCount + required, children.count <= inputCount + op.attributes.count else {
                    errors.append(ExpressionError("\(name)(\(signature(op))) takes \(argumentCount(op)), got \(children.count)",
                                                  at: node.start))
                    continue
                }
                var attributes: [String: Double] = [:]
                var ok = true
                for (k, argument) in node.children.enumerated().dropFirst(inputCount) {
                    let rule = op.attributes[k - inputCount]
                    if let value = constant[argument] {
                        attributes[rule.name] = value
                    } else {
                        errors.append(ExpressionError("the \(rule.name) of \(name) must be a constant number", at: nodes[argument].start,
                                                      hint: " (found \"\(parsed.source(argument))\")"))
                        ok = false
                    }
                }
                if ok { emit(name, Array(children.prefix(inputCount)), attributes: attributes) }
            }
        }

        if errors.isEmpty {
            switch nodes[parsed.root].kind {
            case .number, .variable:
                errors.append(ExpressionError("the right-hand side computes nothing", at: nodes[parsed.root].start,
                                              hint: ": it is just \"\(parsed.source(parsed.root))\"; a figure needs at least one operation"))
            default: break
            }
        }
        if !errors.isEmpty { throw Problems(errors: errors) }
        return Result(variables: variables, operations: operations)
    }

    /// The variables, in order of first appearance (those in exponents and attributes excluded:
    /// these must be constants, and are reported as such).
    static func variables(_ parsed: ParsedExpression) -> [String] {
        let constantOnly = constantOnlyNodes(parsed)
        var variables: [String] = []
        var seen = Set<String>()
        for (i, node) in parsed.nodes.enumerated() where !constantOnly[i] {
            if case .variable(let name) = node.kind, Op.byName[name] == nil, name != parsed.output, seen.insert(name).inserted {
                variables.append(name)
            }
        }
        return variables
    }

    /// The nodes inside an exponent or an attribute argument: folded to a number, never drawn.
    /// Marked top-down, walking the list backwards (parents come after their children).
    static func constantOnlyNodes(_ parsed: ParsedExpression) -> [Bool] {
        var marked = [Bool](repeating: false, count: parsed.nodes.count)
        for i in parsed.nodes.indices.reversed() {
            let node = parsed.nodes[i]
            if marked[i] {
                for child in node.children { marked[child] = true }
                continue
            }
            switch node.kind {
            case .binary(.power):
                marked[node.children[1]] = true
            case .call(let name):
                guard let op = Op.byName[name], case .exactly(let inputs) = op.arity else { break }
                for child in node.children.dropFirst(inputs) { marked[child] = true }
            default:
                break
            }
        }
        return marked
    }

    /// For the commutative `+` and `×`: `1 + b` is drawn as `b + 1`, the computed value on the
    /// main path and the constant fed in from the side, as the notes draw it (and as `-x`
    /// becomes `x × −1`). Exact either way: IEEE addition and multiplication commute.
    private static func constantsLast(_ inputs: [NodeSpec.Input?]) -> [NodeSpec.Input?] {
        guard inputs.count == 2, case .constant? = inputs[0], case .node? = inputs[1] else { return inputs }
        return [inputs[1], inputs[0]]
    }

    /// `x`, `a, b`, `a, b, …`, then the attributes: `x, times[, axis]`.
    static func signature(_ op: Op) -> String {
        var parts: [String]
        switch op.arity {
        case .exactly(1): parts = ["x"]
        case .exactly(let k): parts = (0..<k).map { String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0))) }
        case .atLeast(let k): parts = (0..<k).map { String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0))) } + ["…"]
        }
        var text = parts.joined(separator: ", ")
        for rule in op.attributes {
            text += rule.required ? ", \(rule.name)" : "[, \(rule.name)]"
        }
        return text
    }

    private static func argumentCount(_ op: Op) -> String {
        let inputs: Int
        var atLeast = false
        switch op.arity {
        case .exactly(let k): inputs = k
        case .atLeast(let k): inputs = k; atLeast = true
        }
        let low = inputs + op.attributes.filter(\.required).count
        let high = inputs + op.attributes.count
        func plural(_ n: Int) -> String { n == 1 ? "1 argument" : "\(n) arguments" }
        if atLeast { return "\(low) or more arguments" }
        if low == high { return plural(low) }
        if high == low + 1 { return "\(low) or \(plural(high))" }
        return "\(low) to \(plural(high))"
    }
}

/// a, b, c, …, z, then n1, n2, …, skipping names already taken.
struct NameSequence {
    private var taken: Set<String>
    private var index = 0

    init(taken: Set<String>) { self.taken = taken }

    mutating func next() -> String {
        while true {
            let name = index < 26 ? String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index))) : "n\(index - 25)"
            index += 1
            if taken.insert(name).inserted { return name }
        }
    }
}
