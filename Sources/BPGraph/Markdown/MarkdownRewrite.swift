/// The image lines that a block of a post renders to.
public struct MarkdownFigure: Sendable, Equatable {
    /// One image: its link target (already percent-encoded where needed) and the attributes
    /// written right after a Markdown image (kramdown's `{: width="…" height="…" }`, or "").
    public struct Image: Sendable, Equatable {
        public var link: String
        public var attributes: String
        public init(link: String, attributes: String = "") {
            self.link = link
            self.attributes = attributes
        }
    }

    public enum Form: Sendable, Equatable {
        /// `![alt](link)attributes`, one line per image.
        case markdown
        /// One `<picture>` line: the first image for light pages, the second in a
        /// `<source media="(prefers-color-scheme: dark)">`; the size, when known, on the `<img>`.
        case picture(width: Int?, height: Int?)
    }

    /// The image's alternative text (plain text; escaped when written).
    public var alt: String
    public var images: [Image]
    public var form: Form

    public init(alt: String, images: [Image], form: Form = .markdown) {
        self.alt = alt
        self.images = images
        self.form = form
    }

    /// One Markdown image.
    public init(link: String, alt: String) {
        self.init(alt: alt, images: [Image(link: link)])
    }

    /// The link target (of the first image).
    public var link: String { images.first?.link ?? "" }

    /// `![alt](link)attributes` of the first image.
    public var markdown: String { Self.markdownLine(alt: alt, link: link, title: "", attributes: images.first?.attributes ?? "") }

    public static func markdownLine(alt: String, link: String, title: String, attributes: String) -> String {
        "![\(escapeMarkdown(alt))](\(link)\(title))\(attributes)"
    }

    public static func pictureLine(alt: String, light: String, dark: String, width: Int?, height: Int?) -> String {
        var img = "<img alt=\"\(escapeHTML(alt))\" src=\"\(escapeHTML(light))\""
        if let width { img += " width=\"\(width)\"" }
        if let height { img += " height=\"\(height)\"" }
        return "<picture><source media=\"(prefers-color-scheme: dark)\" srcset=\"\(escapeHTML(dark))\">" + img + "></picture>"
    }

    static func escapeMarkdown(_ alt: String) -> String {
        var escaped = ""
        for c in alt {
            switch c {
            case "\\", "[", "]": escaped += "\\" + String(c)
            case "\n", "\r", "\r\n", "\t": escaped += " "
            default: escaped.append(c)
            }
        }
        return escaped
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r", "\r\n", "\t": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}

/// bpgraph's own text for one image line: the files it links, and the alternative text and
/// attributes bpgraph gave it. A rerun compares the line with this record: alt text or
/// attributes that differ from it are the author's, and are kept.
public struct WrittenImage: Sendable, Equatable {
    public var files: [String]
    public var alt: String
    public var attributes: String
    public init(files: [String], alt: String, attributes: String) {
        self.files = files
        self.alt = alt
        self.attributes = attributes
    }
}

/// An image line of ours after a block, as the author left it.
public struct MarkdownImageLine: Sendable, Equatable {
    public enum Form: Sendable, Equatable { case markdown, picture }
    public var form: Form
    /// The alternative text, unescaped.
    public var alt: String
    /// The file names of ours it links (a `<picture>`: the light one, then the dark one).
    public var files: [String]
    /// What follows the image on its line (kramdown attributes such as `{: width="600" }`).
    public var attributes: String
    /// A Markdown image's title, with the space before it (` "title"`), or "".
    public var title: String
    let index: Int
    let prefix: [UInt8]

    /// The file name a link target points at, without a `#fragment` or `?query`.
    public static func fileName(ofLink link: String) -> String {
        var target = Substring(link)
        if let cut = target.firstIndex(where: { $0 == "#" || $0 == "?" }) { target = target[..<cut] }
        return String(target.split(separator: "/", omittingEmptySubsequences: false).last ?? target)
    }

    init?(parsing line: String, index: Int, prefix: [UInt8]) {
        self.index = index
        self.prefix = prefix
        let text = MarkdownPost.trimTrailing(line)
        if text.hasPrefix("![") {
            // ![alt](target "title")attributes
            var alt = ""
            var rest = text.dropFirst(2)
            var closed = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if c == "\\", let next = rest.first, next.isASCII && next.isPunctuation || next.isSymbol {
                    alt.append(next)
                    rest = rest.dropFirst()
                } else if c == "]" {
                    closed = true
                    break
                } else {
                    alt.append(c)
                }
            }
            guard closed, rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
            var target = String(rest[rest.index(after: rest.startIndex)..<close])
            var title = ""
            if let space = target.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                title = String(target[space...])
                target = String(target[..<space])
            }
            if target.hasPrefix("<") && target.hasSuffix(">") && target.count >= 2 { target = String(target.dropFirst().dropLast()) }
            let file = Self.fileName(ofLink: target)
            guard MarkdownPost.isFigureFileName(file) else { return nil }
            self.form = .markdown
            self.alt = alt
            self.files = [file]
            self.title = title
            self.attributes = String(rest[rest.index(after: close)...])
            return
        }
        if text.hasPrefix("<picture>") && text.hasSuffix("</picture>") {
            func attribute(_ name: String) -> String? {
                guard let start = text.range(of: " \(name)=\"") else { return nil }
                guard let end = text[start.upperBound...].firstIndex(of: "\"") else { return nil }
                return Self.unescapeHTML(String(text[start.upperBound..<end]))
            }
            guard let src = attribute("src"), MarkdownPost.isFigureFileName(Self.fileName(ofLink: src)) else { return nil }
            self.form = .picture
            self.alt = attribute("alt") ?? ""
            self.files = [Self.fileName(ofLink: src)] + (attribute("srcset").map { [Self.fileName(ofLink: $0)] } ?? [])
            self.attributes = ""
            self.title = ""
            return
        }
        return nil
    }

    static func unescapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// What this line says, as a record (when bpgraph has none of it).
    var asWritten: WrittenImage { WrittenImage(files: files, alt: alt, attributes: attributes) }
}

extension MarkdownPost {
    /// The post with image lines after each block that has a figure (replacing the image lines
    /// a previous run left there), or, with `replace`, each such fenced block turned into the
    /// `<!-- bpgraph … -->` comment followed by its image lines. Blocks without a figure (those
    /// that failed) and every other byte are copied unchanged.
    ///
    /// The new lines go into the block's container: they start with the block's quote markers
    /// and indent. An image line's alt text and attributes are kept when they differ from
    /// what bpgraph wrote (`previous`, by file name): the author edited them. With no record
    /// of a line, its alt text is kept, and so are its attributes unless it has none.
    ///
    /// The spec and the info string are written into the comment through `HTMLCommentText`,
    /// so nothing in them can end the comment (`-->`, `--!>`) and turn the rest into live
    /// HTML; the scanner decodes them back, so reruns read the same spec. (`problems` is
    /// empty today: every block with a figure can be hidden.) `written` lists every image
    /// line of ours in the new post, in order.
    public func rewritten(figures: [Int: MarkdownFigure], replace: Bool, previous: [String: WrittenImage] = [:])
        -> (bytes: [UInt8], problems: [Diagnostic], written: [WrittenImage]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64 * figures.count)
        let problems: [Diagnostic] = []
        var written: [WrittenImage] = []
        var position = 0
        func lineEnd(_ index: Int) -> [UInt8] { Array(bytes[lines[index].end..<lines[index].next]) }

        for (number, block) in blocks.enumerated() {
            guard let figure = figures[number] else {
                written += block.images.map { line in
                    previous[line.files[0]].map { WrittenImage(files: line.files, alt: $0.alt, attributes: $0.attributes) } ?? line.asWritten
                }
                continue
            }
            out += bytes[position..<lines[block.openIndex].start]
            let closeEnd = lineEnd(block.closeIndex)
            let hide = replace && block.form == .fence
            if hide {
                // The opening line keeps what stood before its fence (a list marker, quote markers).
                let open = lineBytes(block.openIndex)
                let fenceStart = open.firstIndex { $0 == UInt8(ascii: "`") || $0 == UInt8(ascii: "~") } ?? open.startIndex
                out += open[open.startIndex..<fenceStart]
                out += Array(("<!-- bpgraph" + (block.info.isEmpty ? "" : " " + HTMLCommentText.encode(block.info))).utf8) + lineEnd(block.openIndex)
                // An empty line keeps the quote markers (a line without them would end the
                // quote, and the comment with it) but not the indent after them.
                var blankPrefix = block.prefix
                while let last = blankPrefix.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { blankPrefix.removeLast() }
                for (k, content) in block.contentLines.enumerated() {
                    out += (content.text.isEmpty ? blankPrefix : block.prefix) + Array(HTMLCommentText.encode(content.text).utf8) + lineEnd(block.openIndex + 1 + k)
                }
                out += block.prefix + Array("-->".utf8)
            } else {
                out += bytes[lines[block.openIndex].start..<lines[block.closeIndex].end]
            }
            let (texts, records) = imageLines(figure, replacing: block.images, previous: previous)
            written += records
            let separator = closeEnd.isEmpty ? newline : closeEnd
            let body = texts.map { block.prefix + Array($0.utf8) }.joined(separator: separator)
            if let last = block.images.last {
                out += separator + body + lineEnd(last.index)
                position = lines[last.index].next
            } else if closeEnd.isEmpty {
                // The block ends the post without a line end: so does the image line.
                out += newline + body
                position = lines[block.closeIndex].next
            } else {
                out += closeEnd + body + closeEnd
                position = lines[block.closeIndex].next
            }
        }
        out += bytes[position...]
        return (out, problems, written)
    }

    /// The new image lines' text (without prefix) and their records, keeping the author's
    /// alt text and attributes from the old lines.
    private func imageLines(_ figure: MarkdownFigure, replacing old: [MarkdownImageLine], previous: [String: WrittenImage])
        -> (texts: [String], records: [WrittenImage]) {
        var alt = figure.alt
        if let first = old.first {
            let record = previous[first.files[0]]
            if record == nil || record!.alt != first.alt { alt = first.alt }
        }
        func files(_ links: [String]) -> [String] { links.map(MarkdownImageLine.fileName(ofLink:)) }
        switch figure.form {
        case .picture(let width, let height):
            let light = figure.images[0].link, dark = figure.images.count > 1 ? figure.images[1].link : figure.images[0].link
            return ([MarkdownFigure.pictureLine(alt: alt, light: light, dark: dark, width: width, height: height)],
                    [WrittenImage(files: files([light, dark]), alt: figure.alt, attributes: "")])
        case .markdown:
            var texts: [String] = [], records: [WrittenImage] = []
            for (i, image) in figure.images.enumerated() {
                var attributes = image.attributes
                var title = ""
                if i < old.count, old[i].form == .markdown {
                    let line = old[i]
                    title = line.title
                    let record = previous[line.files[0]]
                    if !line.attributes.isEmpty && (record == nil || record!.attributes != line.attributes) {
                        attributes = line.attributes
                    }
                }
                texts.append(MarkdownFigure.markdownLine(alt: alt, link: image.link, title: title, attributes: attributes))
                // The record is bpgraph's own text for the line, so that what the author changed
                // stays theirs and what they did not follows the block next time.
                records.append(WrittenImage(files: files([image.link]), alt: figure.alt, attributes: image.attributes))
            }
            return (texts, records)
        }
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
            case 0x20, 0x28, 0x29, 0x3C, 0x3E, 0x25, 0x5C, 0x5B, 0x5D, 0x00...0x1F, 0x7F, 0x22, 0x23, 0x3F:
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
