/// A parsed expression `NAME = …`, as a flat list of nodes. Children always come
/// before their parent, so the list is already an evaluation order (left to right,
/// post-order), and nothing about it recurses: not walking it, not freeing it.
struct ParsedExpression {
    enum BinaryOperator: String {
        case add = "+", subtract = "-", multiply = "*", divide = "/", matmul = "@", power = "^"
    }

    enum Kind: Equatable {
        case number(Double)
        case variable(String)
        /// Unary minus of something that is not a number literal (`-2` is a number).
        case negate
        case binary(BinaryOperator)
        /// A function call `name(arguments…)`; the node starts at the name.
        case call(String)
    }

    struct Node: Equatable {
        var kind: Kind
        var children: [Int]
        /// Character offsets of the node's text: `start..<end`.
        var start: Int
        var end: Int
    }

    var text: [Character]
    /// The left-hand side: the output's name.
    var output: String
    var outputStart: Int
    var nodes: [Node]
    var root: Int

    /// The node's source text, for messages.
    func source(_ index: Int) -> String { String(text[nodes[index].start..<nodes[index].end]) }
}

/// A Pratt (precedence-climbing) parser. Precedence and associativity are mathematics':
/// `+ -` < `* / @` < unary minus < `^` (right-associative), so `-x^2` is −(x²),
/// `a - b - c` is (a − b) − c, `2^-1` is 2^(−1) and `a^b^c` is a^(b^c).
struct ExpressionParser {
    /// Deeper nesting than this is refused (recursion depth, so no input can overflow the stack).
    static let maximumDepth = 100

    private let text: [Character]
    private let tokens: [ExpressionToken]
    private var position = 0
    private var depth = 0
    private var nodes: [ParsedExpression.Node] = []

    private init(text: [Character], tokens: [ExpressionToken]) {
        self.text = text
        self.tokens = tokens
    }

    static func parse(_ source: String) throws(ExpressionError) -> ParsedExpression {
        let text = Array(source)
        var parser = ExpressionParser(text: text, tokens: try ExpressionLexer.tokens(text))
        return try parser.statement()
    }

    private var current: ExpressionToken { tokens[position] }

    private mutating func advance() -> ExpressionToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func unexpected(_ token: ExpressionToken) -> ExpressionError {
        switch token.kind {
        case .number, .identifier, .leftParen:
            return ExpressionError("unexpected \(token.describe(in: text))", at: token.start, hint: " (missing an operator?)")
        default:
            return ExpressionError("unexpected \(token.describe(in: text))", at: token.start)
        }
    }

    /// `NAME = expression`, the whole text.
    private mutating func statement() throws(ExpressionError) -> ParsedExpression {
        let first = current
        guard case .identifier(let name) = first.kind, tokens.count > 2, case .equals = tokens[1].kind else {
            if case .end = first.kind { throw ExpressionError("the expression is empty", at: 0) }
            if !tokens.contains(where: { $0.kind == .equals }) {
                throw ExpressionError("missing the left-hand side", at: first.start,
                                      hint: ": write \"y = …\" to name the output")
            }
            if case .identifier = first.kind { throw unexpected(tokens[1]) }
            throw ExpressionError("expected the output's name before '='", at: first.start)
        }
        position = 2
        let root = try expression(0)
        guard case .end = current.kind else { throw unexpected(current) }
        return ParsedExpression(text: text, output: name, outputStart: first.start, nodes: nodes, root: root)
    }

    /// Binding powers of the infix operators: (left, right). Left-associative operators
    /// parse their right side with their own power, the right-associative `^` with one less.
    private static func infix(_ kind: ExpressionToken.Kind) -> (ParsedExpression.BinaryOperator, left: Int, right: Int)? {
        switch kind {
        case .plus: return (.add, 10, 10)
        case .minus: return (.subtract, 10, 10)
        case .star: return (.multiply, 20, 20)
        case .slash: return (.divide, 20, 20)
        case .at: return (.matmul, 20, 20)
        case .caret: return (.power, 40, 39)
        default: return nil
        }
    }
    private static let prefixPower = 30

    private mutating func expression(_ minimum: Int) throws(ExpressionError) -> Int {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth {
            throw ExpressionError("the expression is nested more than \(Self.maximumDepth) levels deep", at: current.start)
        }
        var left = try prefix()
        while let (op, leftPower, rightPower) = Self.infix(current.kind), leftPower > minimum {
            _ = advance()
            let right = try expression(rightPower)
            left = append(.binary(op), [left, right], nodes[left].start, nodes[right].end)
        }
        return left
    }

    private mutating func prefix() throws(ExpressionError) -> Int {
        let token = advance()
        switch token.kind {
        case .number(let value):
            return append(.number(value), [], token.start, token.end)
        case .minus:
            let operand = try expression(Self.prefixPower)
            if case .number(let value) = nodes[operand].kind {
                // `-2` is the number −2, not −1 × 2.
                nodes[operand].kind = .number(-value)
                nodes[operand].start = token.start
                return operand
            }
            return append(.negate, [operand], token.start, nodes[operand].end)
        case .plus:
            return try expression(Self.prefixPower)
        case .leftParen:
            let inner = try expression(0)
            guard case .rightParen = current.kind else {
                if case .end = current.kind {
                    throw ExpressionError("missing ')'", at: current.start,
                                          hint: " to close the '(' at column \(column(token.start))")
                }
                throw unexpected(current)
            }
            _ = advance()
            return inner
        case .identifier(let name):
            guard case .leftParen = current.kind else {
                return append(.variable(name), [], token.start, token.end)
            }
            let open = advance()
            var arguments: [Int] = []
            if case .rightParen = current.kind {
                _ = advance()
                return append(.call(name), [], token.start, open.end + 1)
            }
            while true {
                arguments.append(try expression(0))
                let next = advance()
                switch next.kind {
                case .comma: continue
                case .rightParen: return append(.call(name), arguments, token.start, next.end)
                case .end:
                    throw ExpressionError("missing ')'", at: next.start,
                                          hint: " to close the '(' at column \(column(open.start))")
                default: throw unexpected(next)
                }
            }
        default:
            throw unexpected(token)
        }
    }

    private mutating func append(_ kind: ParsedExpression.Kind, _ children: [Int], _ start: Int, _ end: Int) -> Int {
        nodes.append(ParsedExpression.Node(kind: kind, children: children, start: start, end: end))
        return nodes.count - 1
    }

    /// The 1-based column of an offset within its line.
    private func column(_ offset: Int) -> Int {
        var lineStart = offset
        while lineStart > 0 && text[lineStart - 1] != "\n" { lineStart -= 1 }
        return offset - lineStart + 1
    }
}
