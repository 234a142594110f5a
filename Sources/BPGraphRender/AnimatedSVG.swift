/// One SVG that plays SVG frames of one figure in turn, with CSS keyframes only: no
/// script and no SMIL, so it plays inside `<img>` (GitHub, any blog theme) as well as
/// inline.
///
/// The frames are Graphviz SVG documents drawn from one layout (same `<svg>` start tag:
/// width, height, viewBox). The result keeps frame 0's prolog and `<svg>` tag, then a
/// `<style>`, a `<defs>` of shared pieces, and one group per frame,
/// `<g id="bpf{k}" class="bpf">`, holding that frame's drawing. Frame k's group is
/// visible exactly during its slot of the cycle, `[k·frameMs, (k+1)·frameMs)`, the last
/// frame's slot `lastHoldFactor` times as long; the cycle repeats forever. Each group's
/// own `@keyframes bpa{k}` say so, stepped (`step-end`), and nothing else is animated.
/// Where CSS animations do not run (`prefers-reduced-motion: reduce`, or a renderer
/// without them) the last frame shows: the whole figure.
///
/// Ids are made unique: frame k's `id="node1"` becomes `id="bpf{k}-node1"`, and the
/// frame's references to its ids (`url(#…)`, `href="#…"`) follow. Pieces that recur
/// (the same run of drawn elements in several frames, or twice in one) are written once
/// in `<defs>` as `<g id="bps{j}">` and drawn where they occur with `<use>`; titles,
/// links (`<a>`, which carry the tooltips), gradients and anything that references or
/// is referenced by an id stay in the frame, so tooltips and links work as in the
/// still figure.
///
/// With `--theme auto` use `combineThemes(light:dark:…)`: it shares a piece only where
/// both themes' frames share it, then merges the two animations with `AutoTheme.merge`,
/// so the dark rules' classes land on the shared pieces too. `combine` refuses frames
/// that already carry a `<style>` (frames merged one by one would number their dark
/// classes independently, and the classes would clash).
public enum AnimatedSVG {
    /// The id and class prefix of the frame groups and their keyframes (`bpf0`, `bpa0`).
    public static let framePrefix = "bpf"
    /// The id prefix of shared pieces in `<defs>` (`bps0`).
    public static let sharedPrefix = "bps"
    /// A run of recurring elements shorter than this is written in place: a `<use>` costs
    /// about 30 bytes.
    static let minimumSharedBytes = 64

    /// Combines SVG frames into one animated SVG, frame k shown for `frameMs`
    /// milliseconds, the last for `lastHoldFactor × frameMs`. Throws for no frames, a
    /// frame that is not an SVG document, frames of different sizes, a frame with a
    /// script, SMIL animation or style of its own, or timings out of range.
    public static func combine(frames: [[UInt8]], frameMs: Int, lastHoldFactor: Int = 3) throws -> [UInt8] {
        let parsed = try frames.enumerated().map { try Frame($0.element, index: $0.offset) }
        return try write(parsed, keys: nil, frameMs: frameMs, lastHoldFactor: lastHoldFactor)
    }

    /// `combine` for frames as text.
    public static func combine(frames: [String], frameMs: Int, lastHoldFactor: Int = 3) throws -> [UInt8] {
        try combine(frames: frames.map { Array($0.utf8) }, frameMs: frameMs, lastHoldFactor: lastHoldFactor)
    }

    /// An animated SVG for light and dark pages (`--theme auto`): the light and the dark
    /// frames (the same figures in two themes) are combined with the same sharing, and
    /// the two animations merged by `AutoTheme.merge`.
    public static func combineThemes(light: [[UInt8]], dark: [[UInt8]], frameMs: Int, lastHoldFactor: Int = 3) throws -> [UInt8] {
        guard light.count == dark.count else {
            throw RenderError("the animation has \(light.count) light frames but \(dark.count) dark ones")
        }
        let a = try light.enumerated().map { try Frame($0.element, index: $0.offset) }
        let b = try dark.enumerated().map { try Frame($0.element, index: $0.offset) }
        // A piece's key is its light bytes and its dark bytes: shared only where both are.
        var keys: [[[UInt8]]] = []
        for (x, y) in zip(a, b) {
            let kx = x.runKeys(), ky = y.runKeys()
            guard kx.count == ky.count else {
                throw Mismatch(description: "the light and dark drawings of frame \(x.index) have different elements")
            }
            keys.append(zip(kx, ky).map { $0 + [0] + $1 })
        }
        let lightAnimation = try write(a, keys: keys, frameMs: frameMs, lastHoldFactor: lastHoldFactor)
        let darkAnimation = try write(b, keys: keys, frameMs: frameMs, lastHoldFactor: lastHoldFactor)
        return try AutoTheme.merge(light: lightAnimation, dark: darkAnimation)
    }

    /// The last frame's time: `lastHoldFactor × frameMs`, checked.
    public static func lastFrameMs(frameMs: Int, lastHoldFactor: Int) throws -> Int {
        guard frameMs > 0 else { throw RenderError("the time per frame must be at least 1 ms, not \(frameMs)") }
        guard lastHoldFactor >= 1 else { throw RenderError("the last frame's hold must be at least 1 frame, not \(lastHoldFactor)") }
        let (last, overflow) = frameMs.multipliedReportingOverflow(by: lastHoldFactor)
        guard !overflow, last <= APNGEncoder.maximumDelayMs else {
            throw RenderError("the last frame would last \(frameMs) ms × \(lastHoldFactor), more than \(APNGEncoder.maximumDelayMs) ms")
        }
        return last
    }

    /// When each frame starts, in ms from the start of the cycle, and the cycle's length.
    public static func schedule(frameCount: Int, frameMs: Int, lastHoldFactor: Int = 3) throws -> (starts: [Int], cycleMs: Int) {
        guard frameCount > 0 else { throw RenderError("an animation needs at least one frame") }
        let last = try lastFrameMs(frameMs: frameMs, lastHoldFactor: lastHoldFactor)
        let (before, overflow) = frameMs.multipliedReportingOverflow(by: frameCount - 1)
        // The keyframe percentages are computed as 100·10⁴·t / cycle in integers.
        guard !overflow, before <= Int.max / 2_000_000 - last else {
            throw RenderError("an animation of \(frameCount) frames of \(frameMs) ms is too long")
        }
        return ((0..<frameCount).map { $0 * frameMs }, before + last)
    }

    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }

    // MARK: Writing

    /// `t` of `cycle` as a CSS percentage with at most 4 decimals (`7.6923%`), from integers
    /// only, so the same inputs print the same text and a boundary is written alike in the
    /// two keyframes that meet there.
    static func percent(_ t: Int, of cycle: Int) -> String {
        let scaled = (t * 2_000_000 + cycle) / (2 * cycle)  // round(t / cycle · 10⁶)
        let whole = scaled / 10_000, fraction = scaled % 10_000
        guard fraction != 0 else { return "\(whole)%" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)%"
    }

    static func style(frameCount n: Int, frameMs: Int, lastHoldFactor: Int) throws -> String {
        let (starts, cycle) = try schedule(frameCount: n, frameMs: frameMs, lastHoldFactor: lastHoldFactor)
        var css = "\n<style>\n"
        css += ".\(framePrefix) { visibility: hidden; animation: \(cycle)ms step-end infinite; }\n"
        css += "#\(framePrefix)\(n - 1) { visibility: visible; }\n"
        for k in 0..<n {
            let begin = percent(starts[k], of: cycle)
            let end = k + 1 < n ? percent(starts[k + 1], of: cycle) : "100%"
            css += "#\(framePrefix)\(k) { animation-name: bpa\(k); }\n"
            var steps: [String] = []
            if begin != "0%" { steps.append("0% { visibility: hidden; }") }
            steps.append("\(begin) { visibility: visible; }")
            if end != "100%" { steps.append("\(end) { visibility: hidden; }") }
            steps.append(end == "100%" ? "100% { visibility: visible; }" : "100% { visibility: hidden; }")
            css += "@keyframes bpa\(k) { " + steps.joined(separator: " ") + " }\n"
        }
        css += "@media (prefers-reduced-motion: reduce) { .\(framePrefix) { animation: none; } }\n"
        css += "</style>"
        return css
    }

    /// The animation of parsed frames; `keys` (per frame, per run of shareable pieces in
    /// document order) decide what is shared, else the runs' own bytes do.
    static func write(_ frames: [Frame], keys: [[[UInt8]]]?, frameMs: Int, lastHoldFactor: Int) throws -> [UInt8] {
        guard let first = frames.first else { throw RenderError("an animation needs at least one frame") }
        for frame in frames.dropFirst() where frame.svgTag != first.svgTag {
            throw RenderError("frame \(frame.index) of the animation differs from frame 0 in size: \(String(decoding: frame.svgTag.prefix(120), as: UTF8.self))")
        }
        let css = try style(frameCount: frames.count, frameMs: frameMs, lastHoldFactor: lastHoldFactor)
        let runKeys = keys ?? frames.map { $0.runKeys() }
        // Runs that recur anywhere get a shared definition, numbered in order of first use.
        var uses: [[UInt8]: Int] = [:]
        for key in runKeys.joined() { uses[key, default: 0] += 1 }
        var shared: [[UInt8]: Int] = [:]
        var definitions: [UInt8] = []
        let href = first.hasXlink ? "xlink:href" : "href"

        var out: [UInt8] = first.prolog
        out += Array(css.utf8)
        var bodies: [UInt8] = []
        for (k, frame) in frames.enumerated() {
            bodies += Array("\n<g id=\"\(framePrefix)\(k)\" class=\"\(framePrefix)\">".utf8)
            var run = 0
            frame.emit(prefix: "\(framePrefix)\(k)-", into: &bodies) { pieces in
                let key = runKeys[k][run]
                run += 1
                guard uses[key, default: 0] >= 2, frame.bytes(of: pieces).count >= minimumSharedBytes else { return nil }
                if let j = shared[key] { return "<use \(href)=\"#\(sharedPrefix)\(j)\"/>" }
                let j = shared.count
                shared[key] = j
                definitions += Array("<g id=\"\(sharedPrefix)\(j)\">\n".utf8)
                frame.emit(pieces, prefix: "\(sharedPrefix)\(j)-", into: &definitions)
                definitions += Array("</g>\n".utf8)
                return "<use \(href)=\"#\(sharedPrefix)\(j)\"/>"
            }
            bodies += Array("</g>".utf8)
        }
        if !definitions.isEmpty { out += Array("\n<defs>\n".utf8) + definitions + Array("</defs>".utf8) }
        out += bodies
        out += Array("\n</svg>\n".utf8)
        return out
    }

    // MARK: Reading

    /// A piece of a frame's body: text, a comment, or an element with its children.
    indirect enum Piece {
        case text(Range<Int>)
        case comment(Range<Int>)
        /// `end` is nil for a self-closing tag. `shareable`: the element and all inside it
        /// may be drawn through a `<use>`.
        case element(start: Range<Int>, name: String, children: [Piece], end: Range<Int>?, shareable: Bool)

        var shareable: Bool {
            switch self {
            case .text, .comment: return true
            case .element(_, _, _, _, let shareable): return shareable
            }
        }
    }

    /// Elements never shared through `<use>`: what gives tooltips and links (a `<use>`'s
    /// copy has none of its own), what defines things by id, and what is not drawn.
    static let unshareable: Set<String> = [
        "title", "desc", "metadata", "a", "defs", "style", "script", "symbol", "marker", "pattern", "clipPath",
        "mask", "filter", "linearGradient", "radialGradient", "switch", "foreignObject", "use", "image", "svg",
    ]
    /// Elements that would play or run something, or bring a style of their own: refused in a frame.
    static let refused: Set<String> = [
        "script", "animate", "animateMotion", "animateTransform", "animateColor", "set", "style", "iframe", "handler",
        "discard",
    ]

    struct Frame {
        let bytes: [UInt8]
        let index: Int
        /// Everything up to and including the `<svg …>` start tag.
        let prolog: [UInt8]
        let svgTag: [UInt8]
        let hasXlink: Bool
        /// The `<svg>` element's children.
        private(set) var body: [Piece] = []
        /// Ids the frame defines, and the ids it refers to.
        private(set) var ids: Set<String> = []
        private(set) var referenced: Set<String> = []

        init(_ bytes: [UInt8], index: Int) throws {
            self.bytes = bytes
            self.index = index
            let tokens = AutoTheme.tokens(bytes)
            func fail(_ why: String) -> RenderError { RenderError("frame \(index) of the animation is not an SVG drawing: \(why)") }
            guard let svgAt = tokens.firstIndex(where: { $0.kind == .tag && AutoTheme.Tag(bytes[$0.range])?.name == "svg" }) else {
                throw fail("no <svg> element")
            }
            let svgRange = tokens[svgAt].range
            guard bytes[svgRange.upperBound - 2] != UInt8(ascii: "/") else { throw fail("an empty <svg/>") }
            prolog = Array(bytes[0..<svgRange.upperBound])
            svgTag = Array(bytes[svgRange])
            hasXlink = AutoTheme.Tag(bytes[svgRange])?["xmlns:xlink"] != nil
            if prolog.firstRange(of: Array("<script".utf8)) != nil || prolog.firstRange(of: Array("<style".utf8)) != nil {
                throw RenderError("frame \(index) of the animation has a script or style before its <svg>")
            }

            // The tree of the <svg> element's children (shareability is settled below,
            // once every reference is known).
            var stack: [(start: Range<Int>, name: String, children: [Piece])] = [(svgRange, "svg", [])]
            var root: [Piece]?
            for token in tokens[(svgAt + 1)...] {
                let range = token.range
                let text = bytes[range]
                if root != nil {
                    // After </svg>: only whitespace and comments.
                    if token.kind == .text, text.allSatisfy(Self.isSpace) { continue }
                    if text.starts(with: Array("<!--".utf8)) { continue }
                    throw fail("content after </svg>")
                }
                if token.kind == .text { stack[stack.count - 1].children.append(.text(range)); continue }
                if text.starts(with: Array("<!--".utf8)) { stack[stack.count - 1].children.append(.comment(range)); continue }
                if text.starts(with: Array("<!".utf8)) || text.starts(with: Array("<?".utf8)) {
                    throw fail("a declaration inside <svg>: \(String(decoding: text.prefix(40), as: UTF8.self))")
                }
                if text.starts(with: Array("</".utf8)) {
                    let name = String(decoding: text.dropFirst(2).dropLast().filter { !Self.isSpace($0) }, as: UTF8.self)
                    let open = stack.removeLast()
                    guard open.name == name else { throw fail("</\(name)> closes <\(open.name)>") }
                    if stack.isEmpty { root = open.children; continue }
                    stack[stack.count - 1].children.append(.element(start: open.start, name: name, children: open.children, end: range, shareable: false))
                    continue
                }
                guard let tag = AutoTheme.Tag(text) else { throw fail("a tag it cannot read: \(String(decoding: text.prefix(60), as: UTF8.self))") }
                if Self.refused(tag.name) {
                    throw RenderError("frame \(index) of the animation has a <\(tag.name)>; an animated SVG plays with its own CSS only")
                }
                for attribute in tag.attributes {
                    if attribute.name.lowercased().hasPrefix("on") {
                        throw RenderError("frame \(index) of the animation has an event handler (\(attribute.name)); an animated SVG runs no script")
                    }
                    if attribute.name == "id" {
                        guard ids.insert(attribute.value).inserted else { throw fail("id \"\(attribute.value)\" twice") }
                    }
                    referenced.formUnion(Self.references(in: attribute.value, attribute: attribute.name))
                }
                if text[text.endIndex - 2] == UInt8(ascii: "/") {
                    stack[stack.count - 1].children.append(.element(start: range, name: tag.name, children: [], end: nil, shareable: false))
                } else {
                    stack.append((range, tag.name, []))
                }
            }
            guard let root else { throw fail("no </svg>") }
            body = root.map(settle)
        }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }

        static func refused(_ name: String) -> Bool {
            AnimatedSVG.refused.contains(name) || AnimatedSVG.refused.contains(where: { $0.lowercased() == name.lowercased() })
        }

        /// Ids a value refers to: `url(#id)` anywhere, or all of an `href`'s `#id`.
        static func references(in value: String, attribute: String) -> [String] {
            var found: [String] = []
            if attribute == "href" || attribute.hasSuffix(":href"), value.hasPrefix("#") { found.append(String(value.dropFirst())) }
            var rest = Substring(value)
            while let open = rest.firstRange(of: "url(#") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                found.append(String(after[..<close]))
                rest = after[close...]
            }
            return found
        }

        /// The piece with its shareability: no unshareable element in it, no reference to
        /// an id, and no id that something refers to.
        private func settle(_ piece: Piece) -> Piece {
            guard case let .element(start, name, children, end, _) = piece else { return piece }
            let settled = children.map(settle)
            var shareable = !AnimatedSVG.unshareable.contains(name) && settled.allSatisfy(\.shareable)
            if shareable, let tag = AutoTheme.Tag(bytes[start]) {
                for attribute in tag.attributes {
                    if !Self.references(in: attribute.value, attribute: attribute.name).isEmpty { shareable = false }
                    if attribute.name == "id", referenced.contains(attribute.value) { shareable = false }
                }
            }
            return .element(start: start, name: name, children: settled, end: end, shareable: shareable)
        }

        // MARK: Runs

        /// The runs of shareable pieces in document order, each as the list of its pieces:
        /// maximal runs of consecutive shareable children of an element that is not shareable
        /// itself, holding at least one element.
        func runs() -> [[Piece]] {
            var result: [[Piece]] = []
            func visit(_ pieces: [Piece]) {
                for group in Self.group(pieces) {
                    switch group {
                    case .run(let run): result.append(run)
                    case .single(let piece):
                        if case let .element(_, _, children, _, _) = piece { visit(children) }
                    }
                }
            }
            visit(body)
            return result
        }

        /// Each run's key: its elements' bytes, one after another (the whitespace between
        /// them and comments left out).
        func runKeys() -> [[UInt8]] { runs().map { bytes(of: $0) } }

        func bytes(of run: [Piece]) -> [UInt8] {
            var key: [UInt8] = []
            for piece in run { if case let .element(start, _, _, end, _) = piece { key += bytes[start.lowerBound..<(end ?? start).upperBound]; key.append(0x0A) } }
            return key
        }

        enum Group {
            case run([Piece])
            case single(Piece)
        }

        /// Children split into runs of shareable pieces (with an element) and the rest, one
        /// by one. Whitespace and comments between two runs' elements belong to the run.
        static func group(_ pieces: [Piece]) -> [Group] {
            var groups: [Group] = []
            var current: [Piece] = []
            func flush() {
                let hasElement = current.contains { if case .element = $0 { return true } else { return false } }
                if hasElement { groups.append(.run(current)) } else { groups += current.map(Group.single) }
                current = []
            }
            for piece in pieces {
                if piece.shareable {
                    if case .element = piece { current.append(piece) } else if !current.isEmpty { current.append(piece) } else { groups.append(.single(piece)) }
                } else {
                    flush()
                    groups.append(.single(piece))
                }
            }
            flush()
            return groups
        }

        // MARK: Emitting

        /// Writes the body with ids renamed `prefix + id`, each run offered to `share` in
        /// document order (it returns the `<use>` to write instead, or nil to write the run).
        func emit(prefix: String, into out: inout [UInt8], share: ([Piece]) -> String?) {
            func visit(_ pieces: [Piece]) {
                for group in Self.group(pieces) {
                    switch group {
                    case .run(let run):
                        if let use = share(run) { out += Array(use.utf8); out.append(0x0A) } else { emit(run, prefix: prefix, into: &out) }
                    case .single(let piece):
                        switch piece {
                        case .comment: continue
                        case .text(let range): out += bytes[range]
                        case let .element(start, _, children, end, _):
                            out += renamed(start, prefix: prefix)
                            if let end { visit(children); out += bytes[end] }
                        }
                    }
                }
            }
            visit(body)
        }

        /// Writes pieces as they are, ids renamed `prefix + id` (comments left out).
        func emit(_ pieces: [Piece], prefix: String, into out: inout [UInt8]) {
            for piece in pieces {
                switch piece {
                case .comment: continue
                case .text(let range): out += bytes[range]
                case let .element(start, _, children, end, _):
                    out += renamed(start, prefix: prefix)
                    if let end { emit(children, prefix: prefix, into: &out); out += bytes[end] }
                }
            }
        }

        /// `url(#id)` in a value, for each of the frame's ids, as `url(#prefix+id)`: one pass.
        func renamingURLs(_ value: String, prefix: String) -> String {
            var out = ""
            var rest = Substring(value)
            while let open = rest.firstRange(of: "url(#") {
                out += rest[..<open.upperBound]
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { rest = after; break }
                let target = String(after[..<close])
                out += ids.contains(target) ? prefix + target : target
                rest = after[close...]
            }
            return out + rest
        }

        /// A start tag with its id renamed and its references to the frame's ids renamed alike.
        func renamed(_ range: Range<Int>, prefix: String) -> [UInt8] {
            let text = bytes[range]
            guard let tag = AutoTheme.Tag(text) else { return Array(text) }
            var out: [UInt8] = []
            var at = text.startIndex
            for attribute in tag.attributes {
                var value = attribute.value
                if attribute.name == "id" {
                    value = prefix + value
                } else {
                    guard Self.references(in: value, attribute: attribute.name).contains(where: ids.contains) else { continue }
                    if attribute.name == "href" || attribute.name.hasSuffix(":href"), value.hasPrefix("#") {
                        if ids.contains(String(value.dropFirst())) { value = "#" + prefix + value.dropFirst() }
                    } else {
                        value = renamingURLs(value, prefix: prefix)
                    }
                }
                let quote = bytes[attribute.range.lowerBound + attribute.name.utf8.count + 1]
                out += bytes[at..<attribute.range.lowerBound]
                out += Array("\(attribute.name)=".utf8) + [quote] + Array(value.utf8) + [quote]
                at = attribute.range.upperBound
            }
            out += bytes[at..<text.endIndex]
            return out
        }
    }
}
