import Foundation

/// A Markdown post with ```` ```bpgraph ```` blocks: finds the blocks and rewrites the post
/// with image lines after each (or in place of each), keeping every other byte as it was.
///
/// Works on the post's bytes, line by line, so CRLF and LF line ends, a byte-order mark,
/// trailing spaces and the front matter all come back unchanged. Pure: no file I/O.
///
/// What counts as a block (CommonMark's block structure, trimmed to what posts use):
/// - a fenced code block of three or more backticks or tildes, up to 3 spaces from the
///   left edge of its container, whose info string's first word is `bpgraph`; it ends at a
///   closing fence of the same character at least as long;
/// - the form `--replace` leaves behind: `<!-- bpgraph` on a line of its own, the spec, and
///   `-->` on a line of its own.
/// The container is the page itself, a list item (its content indented by tabs or spaces
/// past the marker, `- ` or `1. `) or a block quote (`> `), nested as deep as the post
/// nests them: the notes this project comes from put their figures in list items indented
/// with tabs. A block whose container ends before its closing fence is never closed.
/// Blocks inside other fenced code blocks, inside HTML comments, in indented code, and in
/// the front matter (`---` … `---` or `+++` … `+++` at the top) are not blocks.
///
/// The image lines that belong to a block are the lines right after it, in the same
/// container, that link a file named `bpgraph-<12 hex digits>.<ext>`: a Markdown image
/// (`![alt](…/bpgraph-….svg)`, maybe followed by attributes such as kramdown's
/// `{: width="600" }`) or a `<picture>` element. A rerun updates those lines instead of
/// adding others, so running twice changes nothing.
public struct MarkdownPost: Sendable {
    public let file: String
    public let bytes: [UInt8]
    /// The bpgraph blocks, in order.
    public private(set) var blocks: [MarkdownBlock] = []
    /// Problems with the post itself (a block never closed), one per block, `post.md:LINE: …`.
    public private(set) var problems: [Diagnostic] = []

    let lines: [Line]
    /// The line end used for inserted lines when a block ends the file without one.
    let newline: [UInt8]

    /// One line of the post: `start..<end` is its text, `end..<next` its line end ("", "\n" or "\r\n").
    struct Line: Sendable {
        var start: Int
        var end: Int
        var next: Int
    }

    /// Reads a post. Throws when it is not UTF-8 text.
    public init(_ bytes: [UInt8], file: String) throws {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SpecError(Diagnostic(file: file, message: "the post is not UTF-8 text"))
        }
        self.file = file
        self.bytes = bytes
        var lines: [Line] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                let end = (i > start && bytes[i - 1] == 0x0D) ? i - 1 : i
                lines.append(Line(start: start, end: end, next: i + 1))
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { lines.append(Line(start: start, end: bytes.count, next: bytes.count)) }
        self.lines = lines
        if let first = lines.first(where: { $0.next > $0.end }) {
            newline = Array(bytes[first.end..<first.next])
        } else {
            newline = [0x0A]
        }
        scan()
    }

    /// The text of line `index` (0-based), without its line end.
    func text(_ index: Int) -> String {
        String(decoding: bytes[lines[index].start..<lines[index].end], as: UTF8.self)
    }

    func lineBytes(_ index: Int) -> ArraySlice<UInt8> { bytes[lines[index].start..<lines[index].end] }

    // MARK: - Block structure

    /// A container block open at some line: a block quote or a list item whose content sits
    /// `width` columns right of its container's content.
    enum Container: Equatable {
        case quote
        case item(width: Int)

        /// Consumes this container's marker or indent from `cursor`; false when the line
        /// does not continue the container.
        func continues(_ cursor: inout LineCursor) -> Bool {
            switch self {
            case .quote:
                return cursor.consumeQuoteMarker()
            case .item(let width):
                if cursor.restIsBlank { return true }
                guard cursor.indent >= width else { return false }
                cursor.consumeColumns(width)
                return true
            }
        }
    }

    /// A bpgraph block being read: where it opened and what it has collected.
    private struct OpenBlock {
        var form: MarkdownBlock.Form
        var fence: Fence?
        var depth: Int
        var open: Int
        var indent: Int
        var info: String
        var content: [MarkdownBlock.ContentLine] = []
    }

    /// Matches every container against line `index`; the cursor after them, or nil (with the
    /// number that matched) when the line leaves one.
    private func match(_ containers: [Container], line index: Int) -> (cursor: LineCursor, matched: Int) {
        var cursor = LineCursor(lineBytes(index))
        var matched = 0
        for container in containers {
            var trial = cursor
            guard container.continues(&trial) else { break }
            cursor = trial
            matched += 1
        }
        return (cursor, matched)
    }

    private mutating func scan() {
        var containers: [Container] = []
        var paragraph = false
        var openBlock: OpenBlock?
        /// A fenced block of another language: its lines are not looked into.
        var otherFence: (fence: Fence, depth: Int)?
        var index = frontMatterEnd()
        while index < lines.count {
            var (cursor, matched) = match(containers, line: index)

            if var block = openBlock {
                if matched == block.depth {
                    let rest = cursor.rest
                    let closes: Bool
                    if let fence = block.fence { closes = fence.isClosed(by: rest) }
                    else { closes = Self.trimTrailing(rest).trimmingLeadingSpaces() == "-->" }
                    if closes {
                        finish(block, close: index, containers: containers)
                        openBlock = nil
                    } else if block.form == .comment && rest.contains("-->") {
                        problems.append(Diagnostic(file: "\(file):\(block.open + 1)", message: "the <!-- bpgraph block is never closed (add a line --> after the spec)"))
                        openBlock = nil
                    } else {
                        let text = Self.removeIndent(rest, upTo: block.indent)
                        // A comment's lines were written through HTMLCommentText by --replace: decoded back.
                        block.content.append(MarkdownBlock.ContentLine(line: index + 1, text: block.form == .comment ? HTMLCommentText.decode(text) : text))
                        openBlock = block
                    }
                    index += 1
                    continue
                }
                // The container ended: so did the block, without its closing fence.
                unclosed(block)
                openBlock = nil
            }
            if let other = otherFence {
                if matched == other.depth {
                    if other.fence.isClosed(by: cursor.rest) { otherFence = nil }
                    index += 1
                    continue
                }
                otherFence = nil
            }

            if matched < containers.count {
                // A paragraph's lazy continuation line keeps its containers open.
                if paragraph && !cursor.restIsBlank && !Self.startsBlock(cursor) {
                    index += 1
                    continue
                }
                containers.removeLast(containers.count - matched)
                paragraph = false
            }

            // New containers: block quotes and list items, nested.
            while true {
                let indent = cursor.indent
                guard indent < 4 else { break }
                var trial = cursor
                trial.consumeColumns(indent)
                if trial.peek == UInt8(ascii: ">") {
                    cursor = trial
                    _ = cursor.consumeQuoteMarker()
                    containers.append(.quote)
                    paragraph = false
                    continue
                }
                if !Self.isThematicBreak(trial.rest), let marker = trial.listMarkerWidth(interruptingParagraph: paragraph) {
                    trial.consumeBytes(marker)
                    let spaces = trial.restIsBlank ? 1 : trial.indent
                    let after = (1...4).contains(spaces) ? spaces : 1
                    if !trial.restIsBlank { trial.consumeColumns(after) }
                    cursor = trial
                    containers.append(.item(width: indent + marker + after))
                    paragraph = false
                    continue
                }
                break
            }

            // The leaf block this line starts or continues.
            if cursor.restIsBlank {
                paragraph = false
            } else if cursor.indent >= 4 {
                // Indented code, or a paragraph's continuation: nothing to find.
            } else {
                let indent = cursor.indent
                cursor.consumeColumns(indent)
                let rest = cursor.rest
                if let fence = Fence(opening: rest) {
                    paragraph = false
                    if fence.isBPGraph {
                        openBlock = OpenBlock(form: .fence, fence: fence, depth: containers.count, open: index,
                                              indent: indent, info: fence.extraInfo)
                    } else {
                        otherFence = (fence, containers.count)
                    }
                } else if rest.hasPrefix("<!--") {
                    paragraph = false
                    let after = rest.dropFirst(4)
                    let isBPGraph = after.hasPrefix(" bpgraph") && !rest.contains("-->")
                        && (after.count == 8 || after.dropFirst(8).first.map { $0 == " " || $0 == "\t" } == true)
                    if isBPGraph {
                        let info = HTMLCommentText.decode(Self.trimTrailing(String(after.dropFirst(8)).trimmingLeadingSpaces()))
                        openBlock = OpenBlock(form: .comment, fence: nil, depth: containers.count, open: index, indent: indent, info: info)
                    } else if !after.contains("-->") {
                        // Any other comment is skipped whole, so fences inside it are not blocks.
                        index += 1
                        while index < lines.count && !text(index).contains("-->") { index += 1 }
                    }
                } else {
                    paragraph = !Self.isThematicBreak(rest) && !Self.isHeading(rest)
                }
            }
            index += 1
        }
        if let block = openBlock { unclosed(block) }
    }

    private mutating func unclosed(_ block: OpenBlock) {
        if let fence = block.fence {
            problems.append(Diagnostic(file: "\(file):\(block.open + 1)", message: "the ```bpgraph block is never closed (add a line \(String(repeating: fence.character, count: fence.count)) after the spec\(block.depth > 0 ? ", inside the same list item or quote" : ""))"))
        } else {
            problems.append(Diagnostic(file: "\(file):\(block.open + 1)", message: "the <!-- bpgraph block is never closed (add a line --> after the spec)"))
        }
    }

    /// Records a block closed at line `close`, with the image lines of ours right after it.
    private mutating func finish(_ block: OpenBlock, close: Int, containers: [Container]) {
        // New image lines take the closing line's prefix: its quote markers and indent.
        let closing = lineBytes(close)
        let marker: UInt8 = block.fence.map { UInt8(ascii: $0.character == "`" ? "`" : "~") } ?? UInt8(ascii: "-")
        var cursor = match(Array(containers.prefix(block.depth)), line: close).cursor
        cursor.consumeColumns(cursor.indent)
        let prefixEnd = closing[cursor.position...].firstIndex(of: marker) ?? cursor.position
        let prefix = Array(closing[closing.startIndex..<prefixEnd])
        var images: [MarkdownImageLine] = []
        var index = close + 1
        while index < lines.count {
            let (cursor, matched) = match(Array(containers.prefix(block.depth)), line: index)
            guard matched == block.depth, cursor.indent < 4 else { break }
            var c = cursor
            c.consumeColumns(c.indent)
            guard let image = MarkdownImageLine(parsing: c.rest, index: index, prefix: Array(lineBytes(index)[lineBytes(index).startIndex..<c.position])) else { break }
            images.append(image)
            index += 1
        }
        blocks.append(MarkdownBlock(form: block.form, line: block.open + 1, info: block.info, contentLines: block.content,
                                    openIndex: block.open, closeIndex: close, prefix: prefix, images: images))
    }

    /// The index of the first line after the front matter (0 when there is none).
    private func frontMatterEnd() -> Int {
        guard !lines.isEmpty else { return 0 }
        var first = text(0)
        if first.hasPrefix("\u{FEFF}") { first.removeFirst() }
        let marker = Self.trimTrailing(first)
        guard marker == "---" || marker == "+++" else { return 0 }
        for index in 1..<max(1, lines.count) {
            let line = Self.trimTrailing(text(index))
            if line == marker || (marker == "---" && line == "...") { return index + 1 }
        }
        return 0  // never closed: a thematic break, not front matter
    }

    /// Whether a line that failed to continue its containers starts a block of its own (and
    /// so is not a paragraph's lazy continuation).
    static func startsBlock(_ cursor: LineCursor) -> Bool {
        var c = cursor
        let indent = c.indent
        if indent >= 4 { return false }
        c.consumeColumns(indent)
        let rest = c.rest
        if c.peek == UInt8(ascii: ">") || Fence(opening: rest) != nil || isThematicBreak(rest) || isHeading(rest) || rest.hasPrefix("<!--") {
            return true
        }
        return c.listMarkerWidth(interruptingParagraph: true) != nil
    }

    /// `***`, `- - -`, `___`: three or more of one of them, spaces between.
    static func isThematicBreak(_ line: String) -> Bool {
        let chars = line.filter { $0 != " " && $0 != "\t" }
        guard let c = chars.first, c == "*" || c == "-" || c == "_", chars.count >= 3 else { return false }
        return chars.allSatisfy { $0 == c }
    }

    /// `# Title` (1 to 6 `#`, then a space or the end).
    static func isHeading(_ line: String) -> Bool {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return false }
        let after = line.dropFirst(hashes).first
        return after == nil || after == " " || after == "\t"
    }

    /// `bpgraph-<12 lowercase hex digits>.<svg|png|pdf>`.
    public static func isFigureFileName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ["svg", "png", "pdf"].contains(parts[1]) else { return false }
        let stem = parts[0]
        guard stem.hasPrefix("bpgraph-") else { return false }
        let hex = stem.dropFirst(8)
        return hex.count == 12 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    static func leadingSpaces(_ line: String) -> Int? {
        var n = 0
        for c in line { if c == " " { n += 1 } else { break } }
        return n
    }

    static func removeIndent(_ line: String, upTo n: Int) -> String {
        var removed = 0
        var rest = Substring(line)
        while removed < n, rest.first == " " { rest = rest.dropFirst(); removed += 1 }
        return String(rest)
    }

    static func trimTrailing(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Reads a line's leading container markers and indentation column by column, tabs
/// advancing to the next multiple of 4 (CommonMark's rule). A tab that is only partly
/// consumed leaves its other columns as spaces of the rest.
struct LineCursor {
    let bytes: ArraySlice<UInt8>
    /// The next byte not consumed.
    private(set) var position: Int
    /// The column of the next unconsumed column.
    private(set) var column = 0
    /// Columns of a partly consumed tab (just before `position`) still to give out as spaces.
    private var pending = 0

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var peek: UInt8? { pending > 0 ? UInt8(ascii: " ") : (position < bytes.endIndex ? bytes[position] : nil) }

    /// Columns of white space from here.
    var indent: Int {
        var c = column + pending
        var i = position
        while i < bytes.endIndex {
            if bytes[i] == 0x20 { c += 1 } else if bytes[i] == 0x09 { c += 4 - c % 4 } else { break }
            i += 1
        }
        return c - column
    }

    var restIsBlank: Bool { bytes[position...].allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    /// The rest of the line as text (a partly consumed tab's columns as spaces).
    var rest: String { String(repeating: " ", count: pending) + String(decoding: bytes[position...], as: UTF8.self) }

    mutating func consumeColumns(_ n: Int) {
        var left = n
        while left > 0 {
            if pending > 0 {
                let take = min(pending, left)
                pending -= take; left -= take; column += take
                continue
            }
            guard position < bytes.endIndex else { return }
            switch bytes[position] {
            case 0x20:
                position += 1; column += 1; left -= 1
            case 0x09:
                let width = 4 - column % 4
                position += 1
                if width <= left { column += width; left -= width }
                else { column += left; pending = width - left; left = 0 }
            default:
                return
            }
        }
    }

    /// Consumes `n` bytes that are not white space (a list marker).
    mutating func consumeBytes(_ n: Int) {
        pending = 0
        position += n
        column += n
    }

    /// `>` after up to 3 columns of indent, and one column of space after it.
    mutating func consumeQuoteMarker() -> Bool {
        let indent = self.indent
        guard indent < 4 else { return false }
        var trial = self
        trial.consumeColumns(indent)
        guard trial.pending == 0, trial.position < bytes.endIndex, bytes[trial.position] == UInt8(ascii: ">") else { return false }
        trial.consumeBytes(1)
        if trial.indent > 0 { trial.consumeColumns(1) }
        self = trial
        return true
    }

    /// At a list marker (`-`, `+`, `*`, or 1–9 digits then `.` or `)`) followed by white
    /// space or the end of the line: the marker's width in bytes. A paragraph can be
    /// interrupted only by a bullet or `1.` item that is not empty.
    func listMarkerWidth(interruptingParagraph: Bool) -> Int? {
        guard pending == 0, position < bytes.endIndex else { return nil }
        var i = position
        let first = bytes[i]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: "*") {
            i += 1
        } else {
            var digits = 0
            var value = 0
            while i < bytes.endIndex, (0x30...0x39).contains(bytes[i]), digits < 10 { value = value * 10 + Int(bytes[i] - 0x30); digits += 1; i += 1 }
            guard (1...9).contains(digits), i < bytes.endIndex, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ")") else { return nil }
            i += 1
            if interruptingParagraph && value != 1 { return nil }
        }
        let atEnd = i == bytes.endIndex || bytes[i...].allSatisfy { $0 == 0x20 || $0 == 0x09 }
        guard i == bytes.endIndex || bytes[i] == 0x20 || bytes[i] == 0x09 else { return nil }
        if interruptingParagraph && atEnd { return nil }
        return i - position
    }
}

/// One bpgraph block of a post.
public struct MarkdownBlock: Sendable {
    public enum Form: Sendable { case fence, comment }

    public struct ContentLine: Sendable, Equatable {
        /// 1-based line number in the post.
        public var line: Int
        /// The line's text without its line end (and without its container's markers and the fence's indent).
        public var text: String
    }

    /// A fenced code block, or the HTML comment `--replace` leaves.
    public var form: Form
    /// 1-based line number of the opening fence (or `<!-- bpgraph`).
    public var line: Int
    /// The info string after `bpgraph`, kept when the block becomes a comment.
    public var info: String
    public var contentLines: [ContentLine]

    let openIndex: Int
    let closeIndex: Int
    /// What starts the block's lines in its container: quote markers and indent (`\t\t`, `> `).
    let prefix: [UInt8]
    /// The image lines of ours right after the block.
    public let images: [MarkdownImageLine]

    /// Whether an image line of ours already follows the block.
    public var hasImageLine: Bool { !images.isEmpty }

    /// The spec text, lines joined with "\n" whatever the post's line ends, so that the same
    /// block hashes alike in LF and CRLF posts.
    public var content: String { contentLines.map { $0.text + "\n" }.joined() }
}

/// An opening code fence: up to 3 spaces, then 3 or more backticks or tildes and an info string.
struct Fence {
    var character: Character
    var count: Int
    var indent: Int
    var info: String

    init?(opening line: String) {
        guard let indent = MarkdownPost.leadingSpaces(line), indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let c = rest.first, c == "`" || c == "~" else { return nil }
        let count = rest.prefix { $0 == c }.count
        guard count >= 3 else { return nil }
        let info = String(rest.dropFirst(count))
        if c == "`" && info.contains("`") { return nil }
        self.character = c
        self.count = count
        self.indent = indent
        self.info = MarkdownPost.trimTrailing(info).trimmingLeadingSpaces()
    }

    /// The first word of the info string is the language.
    var language: Substring { info.prefix { $0 != " " && $0 != "\t" && $0 != "{" } }
    var isBPGraph: Bool { language == "bpgraph" }
    var extraInfo: String { String(info.dropFirst(language.count)).trimmingLeadingSpaces() }

    func isClosed(by line: String) -> Bool {
        guard let indent = MarkdownPost.leadingSpaces(line), indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        let run = rest.prefix { $0 == character }.count
        guard run >= count else { return false }
        return rest.dropFirst(run).allSatisfy { $0 == " " || $0 == "\t" }
    }
}

extension String {
    func trimmingLeadingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" })
    }
}
