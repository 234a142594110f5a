/// One token of an expression, with its position (a Character offset into the text).
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case identifier(String)
        case plus, minus, star, slash, caret, at
        case leftParen, rightParen, comma, equals
        case end
    }
    var kind: Kind
    /// Character offsets into the expression: `start..<end`.
    var start: Int
    var end: Int
}

/// A problem in an expression at a position; `ExpressionSpec` turns it into a message
/// with the expression and a caret under the column.
struct ExpressionError: Error, Equatable {
    /// Written before " at column N".
    var message: String
    /// Written after " at column N" (a hint such as " (did you mean \"exp\"?)").
    var hint: String
    /// Character offset of the problem (the text's length for its end).
    var offset: Int

    init(_ message: String, at offset: Int, hint: String = "") {
        self.message = message
        self.offset = offset
        self.hint = hint
    }
}

/// Splits an expression into tokens. Accepts the ASCII operators `+ - * / ^ @ ( ) , =`,
/// `**` for `^`, and the typographic `−`, `×`, `·`, `÷`.
enum ExpressionLexer {
    static func tokens(_ text: [Character]) throws(ExpressionError) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        var i = 0
        while i < text.count {
            let c = text[i]
            if c.isWhitespace { i += 1; continue }
            let start = i
            func single(_ kind: ExpressionToken.Kind) { tokens.append(ExpressionToken(kind: kind, start: start, end: start + 1)); i += 1 }
            switch c {
            case "+": single(.plus)
            case "-", "−": single(.minus)
            case "*" where i + 1 < text.count && text[i + 1] == "*":
                tokens.append(ExpressionToken(kind: .caret, start: start, end: start + 2)); i += 2
            case "*", "×", "·": single(.star)
            case "/", "÷": single(.slash)
            case "^": single(.caret)
            case "@": single(.at)
            case "(": single(.leftParen)
            case ")": single(.rightParen)
            case ",": single(.comma)
            case "=": single(.equals)
            case _ where c.isASCII && c.isNumber, ".":
                tokens.append(try number(text, &i))
            case _ where isIdentifierStart(c):
                while i < text.count && isIdentifierPart(text[i]) { i += 1 }
                tokens.append(ExpressionToken(kind: .identifier(String(text[start..<i])), start: start, end: i))
            default:
                throw ExpressionError("unexpected character \(quote(c))", at: start)
            }
        }
        tokens.append(ExpressionToken(kind: .end, start: text.count, end: text.count))
        return tokens
    }

    /// `12`, `0.5`, `.5`, `1e-3`, `2.5E+4`.
    private static func number(_ text: [Character], _ i: inout Int) throws(ExpressionError) -> ExpressionToken {
        let start = i
        func digits() -> Int {
            let s = i
            while i < text.count && text[i].isASCII && text[i].isNumber { i += 1 }
            return i - s
        }
        var count = digits()
        if i < text.count && text[i] == "." {
            i += 1
            count += digits()
        }
        if count == 0 { throw ExpressionError("unexpected character '.'", at: start) }
        if i < text.count && (text[i] == "e" || text[i] == "E") {
            // An exponent only when digits follow; otherwise `2e` is a number and a name.
            var j = i + 1
            if j < text.count && (text[j] == "+" || text[j] == "-") { j += 1 }
            if j < text.count && text[j].isASCII && text[j].isNumber {
                i = j
                _ = digits()
            }
        }
        let literal = String(text[start..<i])
        guard let value = Double(literal), value.isFinite else {
            throw ExpressionError("number \(literal) is out of range", at: start)
        }
        return ExpressionToken(kind: .number(value), start: start, end: i)
    }

    static func isIdentifierStart(_ c: Character) -> Bool { c == "_" || (c.isLetter && c != "×" && c != "·") }
    static func isIdentifierPart(_ c: Character) -> Bool {
        isIdentifierStart(c) || (c.isASCII && c.isNumber) || c.unicodeScalars.allSatisfy { $0.properties.generalCategory == .decimalNumber }
    }

    static func quote(_ c: Character) -> String {
        if c == "'" { return "\"'\"" }
        if c.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
        }
        return "'\(c)'"
    }
}

extension ExpressionToken {
    /// How the token is named in messages: `')'`, `'exp'`, `'1.5'`, "the end of the expression".
    func describe(in text: [Character]) -> String {
        if case .end = kind { return "end of the expression" }
        return "'" + String(text[start..<end]) + "'"
    }
}
