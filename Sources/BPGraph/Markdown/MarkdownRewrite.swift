/// The image that a block of a post renders to.
public struct MarkdownFigure: Sendable, Equatable {
    /// The link target, relative to the written post (already percent-encoded where needed).
    public var link: String
    /// The image's alternative text.
    public var alt: String

    public init(link: String, alt: String) {
        self.link = link
        self.alt = alt
    }

    /// `![alt](link)`.
    public var markdown: String {
        var escaped = ""
        for c in alt {
            switch c {
            case "\\", "[", "]": escaped += "\\" + String(c)
            case "\n", "\r", "\r\n", "\t": escaped += " "
            default: escaped.append(c)
            }
        }
        return "![\(escaped)](\(link))"
    }
}

extension MarkdownPost {
    /// The post with an image line after each block that has a figure (updating the image line
    /// a previous run left there), or, with `replace`, each such fenced block turned into the
    /// `<!-- bpgraph … -->` comment followed by its image line. Blocks without a figure (those
    /// that failed) and every other byte are copied unchanged.
    ///
    /// The spec and the info string are written into the comment through `HTMLCommentText`,
    /// so nothing in them can end the comment (`-->`, `--!>`) and turn the rest into live
    /// HTML; the scanner decodes them back, so reruns read the same spec.
    public func rewritten(figures: [Int: MarkdownFigure], replace: Bool) -> (bytes: [UInt8], problems: [Diagnostic]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64 * figures.count)
        var problems: [Diagnostic] = []
        var position = 0
        func lineEnd(_ index: Int) -> [UInt8] { Array(bytes[lines[index].end..<lines[index].next]) }

        for (number, block) in blocks.enumerated() {
            guard let figure = figures[number] else { continue }
            out += bytes[position..<lines[block.openIndex].start]
            let closeEnd = lineEnd(block.closeIndex)
            let hide = replace && block.form == .fence
            if hide {
                out += Array(("<!-- bpgraph" + (block.info.isEmpty ? "" : " " + HTMLCommentText.encode(block.info))).utf8) + lineEnd(block.openIndex)
                for (k, content) in block.contentLines.enumerated() {
                    out += Array(HTMLCommentText.encode(content.text).utf8) + lineEnd(block.openIndex + 1 + k)
                }
                out += Array("-->".utf8)
            } else {
                out += bytes[lines[block.openIndex].start..<lines[block.closeIndex].end]
            }
            let image = Array(figure.markdown.utf8)
            if let existing = block.imageIndex {
                out += closeEnd + image + lineEnd(existing)
                position = lines[existing].next
            } else if closeEnd.isEmpty {
                // The block ends the post without a line end: so does the image line.
                out += newline + image
                position = lines[block.closeIndex].next
            } else {
                out += closeEnd + image + closeEnd
                position = lines[block.closeIndex].next
            }
        }
        out += bytes[position...]
        return (out, problems)
    }

    /// The path of `file` relative to `directory`, both absolute and normalized
    /// (`/a/b/post` and `/a/assets/x.svg` give `../assets/x.svg`).
    public static func relativePath(from directory: String, to file: String) -> String {
        let from = directory.split(separator: "/").map(String.init)
        let to = file.split(separator: "/").map(String.init)
        var common = 0
        while common < from.count && common < to.count - 1 && from[common] == to[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        return (ups + to[common...]).joined(separator: "/")
    }

    /// A relative path as a Markdown link target: characters that would end or confuse the
    /// target (spaces, parentheses, angle brackets, `%`, backslashes) are percent-encoded;
    /// other text, Korean folder names included, is left as written.
    public static func linkTarget(_ path: String) -> String {
        var out: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in path.utf8 {
            switch byte {
            case 0x20, 0x28, 0x29, 0x3C, 0x3E, 0x25, 0x5C, 0x5B, 0x5D, 0x00...0x1F, 0x7F:
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Text kept inside an HTML comment (`<!-- bpgraph … -->`), written so that it can never
/// end the comment. An HTML parser ends a comment at `-->` and at `--!>`, so the text
/// never holds two hyphens in a row: every hyphen that follows a hyphen is written as
/// `&#45;`. (`<!-- bpgraph` and the line end before `-->` keep the text from starting
/// with `>` or `->` or ending in `-`.) An `&` that would read as one of the two escapes
/// is written `&amp;`, so decoding gives back exactly the text: `a--b` ↔ `a-&#45;b`,
/// `&#45;` ↔ `&amp;#45;`. Text with neither `--` nor those escapes is written as it is,
/// so comments written before this encoding read the same.
public enum HTMLCommentText {
    static let hyphen = "&#45;"
    static let ampersand = "&amp;"

    public static func encode(_ text: String) -> String {
        guard text.contains("--") || text.contains(hyphen) || text.contains(ampersand) else { return text }
        var out = ""
        var previousHyphen = false
        var rest = Substring(text)
        while let c = rest.first {
            if c == "&" && (rest.hasPrefix(hyphen) || rest.hasPrefix(ampersand)) {
                out += ampersand
                previousHyphen = false
            } else if c == "-" {
                out += previousHyphen ? hyphen : "-"
                previousHyphen = true
            } else {
                out.append(c)
                previousHyphen = false
            }
            rest = rest.dropFirst()
        }
        return out
    }

    public static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let c = rest.first {
            if c == "&" && rest.hasPrefix(hyphen) {
                out += "-"
                rest = rest.dropFirst(hyphen.count)
            } else if c == "&" && rest.hasPrefix(ampersand) {
                out += "&"
                rest = rest.dropFirst(ampersand.count)
            } else {
                out.append(c)
                rest = rest.dropFirst()
            }
        }
        return out
    }
}
