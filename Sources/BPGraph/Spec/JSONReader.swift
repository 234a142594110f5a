/// A strict RFC 8259 JSON parser that keeps line and column of every value.
/// Trailing commas, comments, NaN, Infinity and single quotes are errors.
struct JSONReader {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private let file: String

    static let maximumDepth = 512

    init(_ text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }

    static func parse(_ text: String, file: String) throws -> SpecValue {
        var reader = JSONReader(text, file: file)
        reader.skipWhitespace()
        if reader.index == reader.bytes.count {
            throw SpecError(Diagnostic(file: file, message: "the spec is empty"))
        }
        let value = try reader.parseValue()
        reader.skipWhitespace()
        if reader.index < reader.bytes.count {
            throw reader.error("invalid JSON: unexpected \(reader.describeCurrent()) after the document")
        }
        return value
    }

    // Columns count characters, not bytes. Counted incrementally along the line so that
    // a minified one-line spec of 100,000 nodes stays linear.
    private var columnFrom = 0
    private var columnCount = 0

    private var location: SourceLocation {
        mutating get {
            let end = min(index, bytes.count)
            if columnFrom < lineStart || columnFrom > end { columnFrom = lineStart; columnCount = 0 }
            while columnFrom < end {
                if bytes[columnFrom] & 0xC0 != 0x80 { columnCount += 1 }
                columnFrom += 1
            }
            return SourceLocation(line: line, column: columnCount + 1)
        }
    }

    private mutating func error(_ message: String) -> SpecError {
        SpecError(Diagnostic(.syntax, file: file, location: location, message: message))
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let b = bytes[index]
        if b >= 0x20 && b < 0x7F { return "'\(Character(UnicodeScalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: index += 1; line += 1; lineStart = index
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> SpecValue {
        skipWhitespace()
        let start = location
        guard index < bytes.count else { throw error("invalid JSON: unexpected end of file, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(start)
        case UInt8(ascii: "["): return try parseArray(start)
        case UInt8(ascii: "\""): return SpecValue(.string(try parseString()), at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber(start)
        case UInt8(ascii: "t"): try expectWord("true"); return SpecValue(.bool(true), at: start)
        case UInt8(ascii: "f"): try expectWord("false"); return SpecValue(.bool(false), at: start)
        case UInt8(ascii: "n"): try expectWord("null"); return SpecValue(.null, at: start)
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("invalid JSON: NaN and Infinity are not numbers in JSON")
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw error("invalid JSON: expected a value, found \(describeCurrent()) (trailing comma?)")
        default:
            throw error("invalid JSON: expected a value, found \(describeCurrent())")
        }
    }

    private mutating func expectWord(_ word: String) throws {
        let w = Array(word.utf8)
        if index + w.count <= bytes.count && Array(bytes[index..<index + w.count]) == w {
            index += w.count
            return
        }
        throw error("invalid JSON: expected a value, found \(describeCurrent())")
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maximumDepth { throw error("invalid JSON: nested more than \(Self.maximumDepth) levels deep") }
    }

    private mutating func parseObject(_ start: SourceLocation) throws -> SpecValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: SpecValue)] = []
        var keys = Set<String>()  // duplicates found in constant time: an object may have 100,000 keys
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return SpecValue(.object(members), at: start)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("invalid JSON: unexpected end of file inside an object") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                if bytes[index] == UInt8(ascii: "}") { throw error("invalid JSON: trailing comma before '}'") }
                throw error("invalid JSON: expected a quoted key, found \(describeCurrent())")
            }
            let keyLocation = location
            let key = try parseString()
            if !keys.insert(key).inserted {
                throw SpecError(Diagnostic(.syntax, file: file, location: keyLocation, message: "invalid JSON: duplicate key \"\(key)\""))
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("invalid JSON: expected ':' after key \"\(key)\", found \(describeCurrent())")
            }
            index += 1
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw error("invalid JSON: unexpected end of file inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return SpecValue(.object(members), at: start) }
            throw error("invalid JSON: expected ',' or '}' in an object, found \(describeCurrent())")
        }
    }

    private mutating func parseArray(_ start: SourceLocation) throws -> SpecValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [SpecValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return SpecValue(.array(elements), at: start)
        }
        while true {
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
                throw error("invalid JSON: trailing comma before ']'")
            }
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("invalid JSON: unexpected end of file inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return SpecValue(.array(elements), at: start) }
            throw error("invalid JSON: expected ',' or ']' in an array, found \(describeCurrent())")
        }
    }

    private mutating func parseNumber(_ start: SourceLocation) throws -> SpecValue {
        let begin = index
        func digits() -> Int {
            let s = index
            while index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - s
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "I") || bytes[index] == UInt8(ascii: "N")) {
            throw error("invalid JSON: NaN and Infinity are not numbers in JSON")
        }
        let intStart = index
        let intDigits = digits()
        if intDigits == 0 { throw error("invalid JSON: expected a digit, found \(describeCurrent())") }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") {
            index = intStart + 1
            throw error("invalid JSON: numbers cannot have leading zeros")
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            if digits() == 0 { throw error("invalid JSON: expected a digit after '.', found \(describeCurrent())") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            if digits() == 0 { throw error("invalid JSON: expected a digit in the exponent, found \(describeCurrent())") }
        }
        let text = String(decoding: bytes[begin..<index], as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw SpecError(Diagnostic(.syntax, file: file, location: start, message: "number \(text) is out of range"))
        }
        return SpecValue(.number(number), at: start)
    }

    private mutating func parseString() throws -> String {
        index += 1  // opening quote
        let begin = index
        // Fast path: no escapes, the bytes are the string.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[begin..<index - 1], as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            index += 1
        }
        var buffer = Array(bytes[begin..<index])
        func append(_ scalar: UnicodeScalar) { buffer.append(contentsOf: Array(String(scalar).utf8)) }
        while true {
            guard index < bytes.count else { throw error("invalid JSON: unterminated string") }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            }
            if b < 0x20 { throw error("invalid JSON: control character in a string (use \\n, \\t)") }
            if b != UInt8(ascii: "\\") { buffer.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw error("invalid JSON: unterminated string") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("invalid JSON: unpaired surrogate in \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid JSON: unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw error("invalid JSON: unpaired surrogate in \\u escape")
                }
                append(UnicodeScalar(code)!)
            default:
                index -= 1
                throw error("invalid JSON: unknown escape \\\(Character(UnicodeScalar(e)))")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid JSON: incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid JSON: bad hex digit in \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
