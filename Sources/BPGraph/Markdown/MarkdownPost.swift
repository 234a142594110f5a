import Foundation

/// A Markdown post with ```` ```bpgraph ```` blocks: finds the blocks and rewrites the post
/// with an image link after each (or in place of each), keeping every other byte as it was.
///
/// Works on the post's bytes, line by line, so CRLF and LF line ends, a byte-order mark,
/// trailing spaces and the front matter all come back unchanged. Pure: no file I/O.
///
/// What counts as a block (CommonMark's rules, trimmed to what posts use):
/// - a fenced code block at the left margin (up to 3 spaces of indent), of three or more
///   backticks or tildes, whose info string's first word is `bpgraph`; it ends at a closing
///   fence of the same character at least as long;
/// - the form `--replace` leaves behind: `<!-- bpgraph` on a line of its own, the spec, and
///   `-->` on a line of its own.
/// Blocks inside other fenced code blocks, inside HTML comments, in indented code, in
/// blockquotes or list items, and in the front matter (`---` … `---` or `+++` … `+++` at
/// the top) are not blocks.
///
/// The image line that belongs to a block is the line right after it, when that line is a
/// Markdown image whose target's file name is `bpgraph-<12 hex digits>.<ext>`: a rerun
/// updates that line instead of adding another, so running twice changes nothing.
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

    private mutating func scan() {
        var index = frontMatterEnd()
        while index < lines.count {
            let line = text(index)
            if let fence = Fence(opening: line) {
                index = scanFence(fence, from: index)
            } else if let indent = Self.leadingSpaces(line), indent <= 3, line.dropFirst(indent).hasPrefix("<!--") {
                index = scanComment(line: line, indent: indent, from: index)
            } else {
                index += 1
            }
        }
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

    /// Scans a fenced code block opened at `open`; returns the index after it.
    private mutating func scanFence(_ fence: Fence, from open: Int) -> Int {
        var index = open + 1
        while index < lines.count {
            if fence.isClosed(by: text(index)) { break }
            index += 1
        }
        guard fence.isBPGraph else { return index + 1 }
        guard index < lines.count else {
            problems.append(Diagnostic(file: "\(file):\(open + 1)", message: "the ```bpgraph block is never closed (add a line \(String(repeating: fence.character, count: fence.count)) after the spec)"))
            return index
        }
        let content = ((open + 1)..<index).map { i in
            MarkdownBlock.ContentLine(line: i + 1, text: Self.removeIndent(text(i), upTo: fence.indent))
        }
        blocks.append(MarkdownBlock(form: .fence, line: open + 1, info: fence.extraInfo, contentLines: content,
                                    openIndex: open, closeIndex: index, imageIndex: imageLine(after: index)))
        return index + 1
    }

    /// Scans an HTML comment opened at `open`: a bpgraph block left by `--replace`, or any
    /// other comment (skipped whole, so fences inside it are not blocks). Returns the index after it.
    private mutating func scanComment(line: String, indent: Int, from open: Int) -> Int {
        let rest = line.dropFirst(indent + 4)
        let isBPGraph = rest.hasPrefix(" bpgraph") && !line.contains("-->")
            && (rest.count == 8 || rest.dropFirst(8).first.map { $0 == " " || $0 == "\t" } == true)
        if !isBPGraph {
            if line.dropFirst(indent + 4).contains("-->") { return open + 1 }
            var index = open + 1
            while index < lines.count && !text(index).contains("-->") { index += 1 }
            return index + 1
        }
        var index = open + 1
        while index < lines.count && Self.trimTrailing(text(index)).trimmingLeadingSpaces() != "-->" {
            if text(index).contains("-->") { break }
            index += 1
        }
        guard index < lines.count, Self.trimTrailing(text(index)).trimmingLeadingSpaces() == "-->" else {
            problems.append(Diagnostic(file: "\(file):\(open + 1)", message: "the <!-- bpgraph block is never closed (add a line --> after the spec)"))
            return index + 1
        }
        // Written through HTMLCommentText by --replace: decoded back.
        let content = ((open + 1)..<index).map { MarkdownBlock.ContentLine(line: $0 + 1, text: HTMLCommentText.decode(text($0))) }
        let info = HTMLCommentText.decode(String(rest.dropFirst(8)).trimmingLeadingSpaces())
        blocks.append(MarkdownBlock(form: .comment, line: open + 1, info: Self.trimTrailing(info), contentLines: content,
                                    openIndex: open, closeIndex: index, imageIndex: imageLine(after: index)))
        return index + 1
    }

    /// The index of the image line right after line `close`, if there is one of ours.
    private func imageLine(after close: Int) -> Int? {
        let index = close + 1
        guard index < lines.count, Self.isFigureImage(text(index)) else { return nil }
        return index
    }

    /// `![alt](path/bpgraph-0123456789ab.svg)`, possibly with `<…>` around the target.
    static func isFigureImage(_ line: String) -> Bool {
        let trimmed = trimTrailing(line).trimmingLeadingSpaces()
        guard trimmed.hasPrefix("!["), trimmed.hasSuffix(")"), let open = trimmed.range(of: "](", options: .backwards) else { return false }
        var target = String(trimmed[open.upperBound..<trimmed.index(before: trimmed.endIndex)])
        if target.hasPrefix("<") && target.hasSuffix(">") && target.count >= 2 { target = String(target.dropFirst().dropLast()) }
        let name = target.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? target
        return isFigureFileName(name)
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

/// One bpgraph block of a post.
public struct MarkdownBlock: Sendable {
    public enum Form: Sendable { case fence, comment }

    public struct ContentLine: Sendable, Equatable {
        /// 1-based line number in the post.
        public var line: Int
        /// The line's text without its line end (and without the fence's indent).
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
    let imageIndex: Int?

    /// Whether an image line of ours already follows the block.
    public var hasImageLine: Bool { imageIndex != nil }

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
