import BPGraph
import BPGraphRender
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// An XML element tree, as a conforming XML parser reads the document (Foundation's
/// XMLParser: libxml2 on Linux), comments and whitespace-only text left out.
final class XMLNode {
    var name: String
    var attributes: [String: String]
    var children: [XMLNode] = []
    var text = ""
    weak var parent: XMLNode?

    init(name: String, attributes: [String: String]) { self.name = name; self.attributes = attributes }

    var all: [XMLNode] { [self] + children.flatMap(\.all) }

    static func parse(_ bytes: [UInt8]) throws -> XMLNode {
        final class Builder: NSObject, XMLParserDelegate {
            var stack: [XMLNode] = []
            var root: XMLNode?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
                let node = XMLNode(name: name, attributes: attributes)
                node.parent = stack.last
                stack.last?.children.append(node)
                if root == nil { root = node }
                stack.append(node)
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
            func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
        }
        let parser = XMLParser(data: Data(bytes))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw DecodeError("not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        }
        return root
    }
}

enum SVGFrames {
    /// The same frames in the dark theme: the sigmoid's dark DOT with the same edits in
    /// dark colours (a dark highlight, the hidden label black on the dark background, the
    /// recoloured background darker).
    static func darkTwins(_ dots: [String]) throws -> [String] {
        var dark = FigureOptions()
        dark.theme = .dark
        let plainDark = try DOTWriter(options: dark).write(Fixtures.evaluate(Fixtures.sigmoid))
        return try dots.map { lightFrame -> String in
            var text = plainDark
            if lightFrame.contains(##""a" [label="×", fillcolor="#ffd27f","##) { text = try AnimationFrames.replaced(text, ##""a" [label="×","##, ##""a" [label="×", fillcolor="#8a6d1d","##) }
            if lightFrame.contains(##""c" [label="+", fillcolor="#ffd27f","##) {
                text = try AnimationFrames.replaced(text, ##""c" [label="+","##, ##""c" [label="+", fillcolor="#8a6d1d","##)
                text = try AnimationFrames.replaced(text, ##""b" -> "c" [id="e3", label="0.607","##, ##""b" -> "c" [id="e3", fontcolor="black", label="0.607","##)
            }
            if lightFrame.contains(##"bgcolor="#eef3fb""##) { text = text.replacingOccurrences(of: #"bgcolor="[^"]*""#, with: ##"bgcolor="#202830""##, options: .regularExpression) }
            return text
        }
    }

    static func svgs(_ dots: [String]) throws -> [[UInt8]] {
        try dots.map { try Renderer.shared.render(dot: $0, format: .svg) }
    }

    /// The visible frame at `t` ms, from the animated SVG's own CSS, read independently: the
    /// cycle from `.bpf`'s animation and each `#bpfK`'s `@keyframes` stepped (`step-end`: a
    /// keyframe's value holds until the next keyframe).
    static func visibleFrames(css: String, at t: Double) throws -> [Int] {
        guard let cycleMatch = css.range(of: #"\.bpf \{ visibility: hidden; animation: ([0-9]+)ms step-end infinite; \}"#, options: .regularExpression) else {
            throw DecodeError("no .bpf animation rule")
        }
        let cycle = Double(css[cycleMatch].split(separator: " ").first { $0.hasSuffix("ms") }!.dropLast(2))!
        let phase = t.truncatingRemainder(dividingBy: cycle) / cycle * 100
        var visible: [Int] = []
        var k = 0
        while let rule = css.range(of: "@keyframes bpa\(k) { ") {
            let body = css[rule.upperBound...].prefix { $0 != "\n" }
            // "P% { visibility: V; }" in order
            var state = "hidden"
            for part in body.components(separatedBy: "; }").dropLast() {
                let fields = part.trimmingCharacters(in: .whitespaces).components(separatedBy: " { visibility: ")
                guard fields.count == 2, let percent = Double(fields[0].dropLast()) else { throw DecodeError("keyframe \(part)") }
                if percent <= phase { state = fields[1] }
            }
            if state == "visible" { visible.append(k) }
            k += 1
        }
        return visible
    }
}

@Suite("Animated SVG", .serialized)
struct AnimatedSVGTests {
    static func frames() throws -> [[UInt8]] { try SVGFrames.svgs(AnimationFrames.dots()) }

    @Test("one group per frame, each with its frame's drawing; unique ids; no script, no SMIL, nothing else animated")
    func structure() throws {
        let frames = try Self.frames()
        let animated = try AnimatedSVG.combine(frames: frames, frameMs: 900)
        let root = try XMLNode.parse(animated)
        #expect(root.name == "svg")
        let first = try XMLNode.parse(frames[0])
        #expect(root.attributes == first.attributes, "the outer <svg> is frame 0's")
        let groups = root.children.filter { $0.name == "g" }
        #expect(groups.map { $0.attributes["id"] ?? "" } == (0..<frames.count).map { "bpf\($0)" })
        #expect(groups.allSatisfy { $0.attributes["class"] == "bpf" })
        #expect(root.children.map(\.name) == ["style", "defs"] + Array(repeating: "g", count: frames.count))
        let everything = root.all
        let ids = everything.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count, "duplicate ids")
        for node in everything {
            #expect(!["script", "animate", "set", "animateTransform", "animateMotion", "animateColor", "foreignObject", "iframe"].contains(node.name))
            #expect(!node.attributes.keys.contains { $0.lowercased().hasPrefix("on") })
        }
        // Every reference resolves.
        let idSet = Set(ids)
        for node in everything {
            for (name, value) in node.attributes where name.hasSuffix("href") && value.hasPrefix("#") {
                #expect(idSet.contains(String(value.dropFirst())), "\(value) resolves to nothing")
            }
        }
        // The style animates only the frame groups, only their visibility.
        let css = root.children[0].text
        #expect(!css.contains("@import") && !css.contains("url("))
        let animatedSelectors = css.components(separatedBy: "\n").filter { $0.contains("animation") && !$0.hasPrefix("@media") }
        for line in animatedSelectors { #expect(line.hasPrefix(".bpf ") || line.hasPrefix("#bpf"), "\(line)") }
        let properties = Set(css.matches(of: #/([a-z-]+):/#).map { String($0.output.1) })
        #expect(properties == ["visibility", "animation", "animation-name", "prefers-reduced-motion"])
    }

    /// The frame as drawn: `<use>` replaced by what it refers to, ids without the frame's
    /// or piece's prefix, comments and whitespace gone; as one string per element.
    static func flattened(_ node: XMLNode, ids: [String: XMLNode]) -> [String] {
        if node.name == "use" {
            let target = ids[String((node.attributes["xlink:href"] ?? node.attributes["href"] ?? "").dropFirst())]!
            return target.children.flatMap { flattened($0, ids: ids) }
        }
        var attributes = node.attributes
        for (name, value) in attributes {
            let stripped = value.replacingOccurrences(of: #"\b(bpf|bps)[0-9]+-"#, with: "", options: .regularExpression)
            attributes[name] = stripped
        }
        let head = "<\(node.name) " + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ">"
            + node.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return [head] + node.children.flatMap { flattened($0, ids: ids) } + ["</\(node.name)>"]
    }

    @Test("each frame group, its shared pieces put back, is that frame's drawing element for element")
    func groupsHoldTheirFrames() throws {
        let frames = try Self.frames()
        let root = try XMLNode.parse(AnimatedSVG.combine(frames: frames, frameMs: 900))
        var ids: [String: XMLNode] = [:]
        for node in root.all { if let id = node.attributes["id"] { ids[id] = node } }
        let groups = root.children.filter { $0.name == "g" }
        for (k, frame) in frames.enumerated() {
            let original = try XMLNode.parse(frame)
            let expected = original.children.flatMap { Self.flattened($0, ids: [:]) }
            let got = groups[k].children.flatMap { Self.flattened($0, ids: ids) }
            #expect(got == expected, "frame \(k)")
        }
        #expect(!(root.children[1].children.isEmpty), "nothing was shared")
    }

    @Test("the keyframes show group k exactly during its slot: k·900 ms to (k+1)·900 ms, the last frame 3 × 900 ms, then again")
    func slots() throws {
        let frames = try Self.frames()
        let n = frames.count
        for (frameMs, hold) in [(900, 3), (250, 1), (1000, 5), (7, 3)] {
            let root = try XMLNode.parse(AnimatedSVG.combine(frames: frames, frameMs: frameMs, lastHoldFactor: hold))
            let css = root.children[0].text
            let cycle = (n - 1 + hold) * frameMs
            #expect(css.contains("animation: \(cycle)ms step-end infinite;"))
            for k in 0..<n {
                let start = Double(k * frameMs), end = k == n - 1 ? Double(cycle) : Double((k + 1) * frameMs)
                // Inside the slot (clear of the 4-decimal rounding of the percentages), and past the cycle.
                for t in [start + 0.01 * Double(frameMs), (start + end) / 2, end - 0.01 * Double(frameMs), start + Double(cycle) * 2 + 1] {
                    #expect(try SVGFrames.visibleFrames(css: css, at: t) == [k], "\(frameMs) ms × \(hold): at \(t) ms")
                }
            }
        }
    }

    @Test("one frame: always shown")
    func singleFrame() throws {
        let frame = try SVGFrames.svgs([AnimationFrames.dots()[0]])
        let root = try XMLNode.parse(AnimatedSVG.combine(frames: frame, frameMs: 900))
        for t in [0.0, 1000, 2699] { #expect(try SVGFrames.visibleFrames(css: root.children[0].text, at: t) == [0]) }
    }

    @Test("the same frames give the same bytes, from fresh renders too")
    func deterministic() throws {
        #expect(try AnimatedSVG.combine(frames: Self.frames(), frameMs: 900) == AnimatedSVG.combine(frames: Self.frames(), frameMs: 900))
    }

    @Test("sharing: the animation is much smaller than its frames together")
    func smallerThanTheFrames() throws {
        let frames = try Self.frames()
        let animated = try AnimatedSVG.combine(frames: frames, frameMs: 900)
        let total = frames.reduce(0) { $0 + $1.count }
        // (Each frame keeps its own tooltips, `<a xlink:title>` around every edge and each
        // node's `<title>`, which are never shared.)
        #expect(animated.count < total * 2 / 3, "\(animated.count) bytes for frames of \(total)")
    }

    @Test("--theme auto: light and dark frames combined with the same sharing, then merged; every dark class has a rule")
    func autoTheme() throws {
        let dots = try AnimationFrames.dots()
        let darkDots = try SVGFrames.darkTwins(dots)
        #expect(zip(dots, darkDots).allSatisfy { $0 != $1 })
        let light = try SVGFrames.svgs(dots), darkFrames = try SVGFrames.svgs(darkDots)
        let merged = try AnimatedSVG.combineThemes(light: light, dark: darkFrames, frameMs: 900)
        let root = try XMLNode.parse(merged)
        let styles = root.children.filter { $0.name == "style" }
        #expect(styles.count == 2)
        let css = styles.map(\.text).joined()
        #expect(css.contains("@media (prefers-color-scheme: dark)"))
        #expect(css.contains("@keyframes bpa4"))
        let classes = Set(root.all.flatMap { ($0.attributes["class"] ?? "").split(separator: " ").map(String.init) }.filter { $0.hasPrefix("bpd") })
        #expect(!classes.isEmpty)
        for name in classes { #expect(css.contains(".\(name) {"), "\(name) has no rule") }
        let ids = root.all.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        #expect(root.children.filter { $0.name == "g" }.count == dots.count)
        // The light figure, with no dark preference, is exactly combine(light).
        let lightOnly = try XMLNode.parse(AnimatedSVG.combineThemes(light: light, dark: light, frameMs: 900))
        #expect(lightOnly.children.filter { $0.name == "g" }.count == dots.count)
    }

    @Test("bad input throws a clear error, never traps")
    func errors() throws {
        let frames = try Self.frames()
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try AnimatedSVG.combine(frames: [[UInt8]](), frameMs: 900) } == "an animation needs at least one frame")
        #expect(message { try AnimatedSVG.combine(frames: frames, frameMs: 0) } == "the time per frame must be at least 1 ms, not 0")
        #expect(message { try AnimatedSVG.combine(frames: frames, frameMs: 900, lastHoldFactor: 0) } == "the last frame's hold must be at least 1 frame, not 0")
        #expect(message { try AnimatedSVG.combine(frames: frames, frameMs: Int.max / 2) }.hasPrefix("the last frame would last"))
        let other = try Renderer.shared.render(dot: "digraph { a -> b }", format: .svg)
        #expect(message { try AnimatedSVG.combine(frames: [frames[0], other], frameMs: 900) }.hasPrefix("frame 1 of the animation differs from frame 0 in size: <svg width="))
        #expect(message { try AnimatedSVG.combine(frames: ["not an svg"], frameMs: 900) } == "frame 0 of the animation is not an SVG drawing: no <svg> element")
        #expect(message { try AnimatedSVG.combine(frames: ["<svg width=\"1\"><g>"], frameMs: 900) } == "frame 0 of the animation is not an SVG drawing: no </svg>")
        #expect(message { try AnimatedSVG.combine(frames: ["<svg><g></svg>"], frameMs: 900) } == "frame 0 of the animation is not an SVG drawing: </svg> closes <g>")
        #expect(message { try AnimatedSVG.combine(frames: ["<svg><script>alert(1)</script></svg>"], frameMs: 900) }
                == "frame 0 of the animation has a <script>; an animated SVG plays with its own CSS only")
        #expect(message { try AnimatedSVG.combine(frames: ["<svg><rect onload=\"x()\"/></svg>"], frameMs: 900) }
                == "frame 0 of the animation has an event handler (onload); an animated SVG runs no script")
        #expect(message { try AnimatedSVG.combine(frames: ["<svg><set attributeName=\"x\"/></svg>"], frameMs: 900) }
                == "frame 0 of the animation has a <set>; an animated SVG plays with its own CSS only")
        #expect(message { try AnimatedSVG.combine(frames: ["<svg><g id=\"a\"/><g id=\"a\"/></svg>"], frameMs: 900) }
                == "frame 0 of the animation is not an SVG drawing: id \"a\" twice")
        // An auto-theme SVG (with its <style>) is refused: combineThemes is the way.
        let auto = try AutoTheme.merge(light: frames[0], dark: frames[1])
        #expect(message { try AnimatedSVG.combine(frames: [auto], frameMs: 900) } == "frame 0 of the animation has a <style>; an animated SVG plays with its own CSS only")
        #expect(message { try AnimatedSVG.combineThemes(light: frames, dark: [frames[0]], frameMs: 900) } == "the animation has 5 light frames but 1 dark ones")
        // Whatever bytes: an error or an SVG, never a trap.
        var seed: UInt64 = 7
        for length in [0, 1, 2, 5, 40, 300] {
            for _ in 0..<20 {
                var junk: [UInt8] = Array("<svg>".utf8)
                for _ in 0..<length {
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    junk.append(Array("<>/=\"' gsvidx#url()-!?".utf8)[Int(seed >> 59) % 22])
                }
                _ = try? AnimatedSVG.combine(frames: [junk, junk], frameMs: 900)
            }
        }
    }
}

/// The Chromium runs of `AnimatedSVGChromiumTests` (outside it: its `@Suite` trait starts them).
enum ChromiumRuns {
    @Sendable static func start() { _ = played }

    static let played = Background { () -> AnimatedSVGChromiumTests.Played in
        typealias Runs = AnimatedSVGChromiumTests
        return Runs.Played(light: Result { try Runs.lightSamples() }, dark: Result { try Runs.darkSamples() }, realTime: Result { try Runs.playInsideImg() })
    }
}

/// The animated SVG as Chromium plays it. Chromium's clock cannot be stepped for an SVG
/// inside `<img>` (virtual time moves its animations unevenly), so each sample inlines the
/// animation in an HTML page whose own rule pauses it at the chosen time
/// (`animation-play-state: paused; animation-delay: -t ms`, which is exactly where a
/// running animation is at t), and the screenshot is compared pixel for pixel with the
/// same page showing that frame's still SVG. One page per sample: several copies of a
/// figure on one page are not drawn alike to the pixel (text antialiasing differs between
/// copies), one per page is. The pages of a test are loaded one after another in one
/// Chromium session (`scripts/play_animation.py --shots`), not one Chromium per page.
@Suite("Animated SVG in Chromium", .serialized, .startEarly(ChromiumRuns.start))
struct AnimatedSVGChromiumTests {
    /// The screenshots of paused pages: each frame's still, then each sample's.
    struct Sampled: Sendable {
        var stills: [RGBAImage]
        var played: [(t: Int, frame: Int, image: RGBAImage)]
    }

    /// What scripts/play_animation.py printed for the real-time run.
    struct RealTime: Sendable {
        var status: Int32, output: String, problem: String
    }

    struct Played: Sendable {
        var light: Result<Sampled, Error>, dark: Result<Sampled, Error>, realTime: Result<RealTime, Error>
    }

    /// Everything the three tests look at, made by Chromium one run after another (the
    /// real-time one last, alone) on a thread of its own, started while the run is planned
    /// (`.startEarly`). Not on the test runner's two threads: the others run meanwhile, and
    /// these runs, the long pole of the suite, need not wait for a free one.
    static var played: Background<Played> { ChromiumRuns.played }

    /// (time, frame that must show) in the light animation at 900 ms a frame, the last
    /// held 3 × 900 ms: slot middles, just inside both ends of a slot, the last frame's long
    /// hold, and the second cycle.
    static func lightSamples() throws -> Sampled {
        let frames = try SVGFrames.svgs(AnimationFrames.dots())
        let frameMs = 900, hold = 3
        let animated = try AnimatedSVG.combine(frames: frames, frameMs: frameMs, lastHoldFactor: hold)
        let cycle = (frames.count - 1 + hold) * frameMs
        let samples: [(t: Int, frame: Int)] = [(450, 0), (899, 0), (901, 1), (2250, 2), (3150, 3), (3601, 4), (6299, 4), (cycle + 450, 0), (cycle + 3150, 3)]
        return try sample(animated, frames: frames, samples: samples, dark: false)
    }

    /// The --theme auto animation (900 ms a frame) in a dark colour scheme, against the dark stills.
    static func darkSamples() throws -> Sampled {
        let dots = try AnimationFrames.dots()
        let light = try SVGFrames.svgs(dots), dark = try SVGFrames.svgs(SVGFrames.darkTwins(dots))
        let animated = try AnimatedSVG.combineThemes(light: light, dark: dark, frameMs: 900)
        return try sample(animated, frames: dark, samples: [(450, 0), (1350, 1), (3150, 3), (5000, 4)], dark: true)
    }

    static func chromium() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// Screenshots of `pages` (name, HTML), each loaded on its own in one Chromium session
    /// with a viewport of `width` × `height` CSS pixels at scale 1 (`--force-dark-mode`
    /// when `dark`), by name; their PNGs stay in `dir` beside the pages.
    static func screenshots(_ pages: [(name: String, html: String)], width: Int, height: Int, in dir: URL, dark: Bool = false) throws -> [String: RGBAImage] {
        guard chromium() != nil else {
            throw DecodeError("no chromium on PATH: scripts/setup installs it (apt-get install chromium)")
        }
        for page in pages {
            try page.html.write(to: dir.appendingPathComponent("\(page.name).html"), atomically: true, encoding: .utf8)
            for ext in ["png", "rgba"] { try? FileManager.default.removeItem(at: dir.appendingPathComponent("\(page.name).\(ext)")) }
        }
        try (pages.map(\.name).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("pages.txt"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.root.appendingPathComponent("scripts/play_animation.py").path, "--shots", dir.path, String(width), String(height)]
            + (dark ? ["--dark"] : [])
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DecodeError("chromium could not take the screenshots (status \(process.terminationStatus)): \(problem)")
        }
        // The screenshots' pixels as Pillow decoded them (a debug build's inflate would take
        // longer than the screenshots): 8-bit RGBA, width × height.
        var shots: [String: RGBAImage] = [:]
        for page in pages {
            guard let pixels = FileManager.default.contents(atPath: dir.appendingPathComponent("\(page.name).rgba").path) else {
                throw DecodeError("chromium took no screenshot of \(page.name)")
            }
            guard pixels.count == width * height * 4 else { throw DecodeError("the screenshot of \(page.name) is \(pixels.count) bytes, not \(width) × \(height) × 4") }
            shots[page.name] = RGBAImage(width: width, height: height, pixels: Array(pixels))
        }
        return shots
    }

    /// The SVG element of a document (its prolog dropped), for inlining in HTML.
    static func inline(_ svg: [UInt8]) -> String {
        let text = String(decoding: svg, as: UTF8.self)
        return String(text[text.range(of: "<svg")!.lowerBound...])
    }

    /// Screenshots of each frame's still and of `animated` paused at each sample's time (in
    /// the dark colour scheme when `dark`).
    static func sample(_ animated: [UInt8], frames: [[UInt8]], samples: [(t: Int, frame: Int)], dark: Bool) throws -> Sampled {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpgraph-chromium-\(getpid())-\(dark ? "dark" : "light")")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["BPGRAPH_KEEP_SCREENSHOTS"] == nil { try? FileManager.default.removeItem(at: dir) } }
        let (width, height) = (900, 240)
        func page(_ svg: [UInt8], pausedAt t: Int?) -> String {
            var html = "<!doctype html><html><head><meta charset=\"utf-8\"><style>body { margin: 0; background: #fff; }\n"
            if let t { html += ".bpf { animation-play-state: paused !important; animation-delay: -\(t)ms !important; }\n" }
            return html + "</style></head><body>\(Self.inline(svg))</body></html>"
        }
        let stillPages = frames.enumerated().map { (name: "still-\($0.offset)", html: page($0.element, pausedAt: nil)) }
        let samplePages = samples.map { (name: "at-\($0.t)", html: page(animated, pausedAt: $0.t)) }
        let shots = try Self.screenshots(stillPages + samplePages, width: width, height: height, in: dir, dark: dark)
        return Sampled(stills: stillPages.map { shots[$0.name]! }, played: samples.map { ($0.t, $0.frame, shots["at-\($0.t)"]!) })
    }

    /// Each sample's screenshot is its frame's still, pixel for pixel.
    static func check(_ sampled: Sampled, dark: Bool) {
        let stills = sampled.stills
        // The frames are told apart on screen (else the comparison below could not fail).
        for (a, b) in [(0, 1), (1, 3), (3, 4), (0, 4)] where b < stills.count {
            let differ = stills[a] != stills[b]
            #expect(differ, "frames \(a) and \(b) look alike")
        }
        for sample in sampled.played {
            let same = sample.image == stills[sample.frame]
            #expect(same, "at \(sample.t) ms frame \(sample.frame) should show\(dark ? " (dark)" : "")")
        }
    }

    @Test("at each sampled time the frame of that slot shows, pixel for pixel, and nothing else")
    func playsInChromium() async throws {
        Self.check(try await Self.played.value.light.get(), dark: false)
    }

    @Test("--theme auto in a dark colour scheme: each sampled time shows its frame's dark still, shared pieces recoloured too")
    func playsDarkInChromium() async throws {
        Self.check(try await Self.played.value.dark.get(), dark: true)
    }

    /// The slot of the cycle that time `t` (ms of animation time) falls in.
    static func frame(at t: Double, frameMs: Int, count: Int, cycle: Int) -> Int {
        let phase = (t.truncatingRemainder(dividingBy: Double(cycle)) + Double(cycle)).truncatingRemainder(dividingBy: Double(cycle))
        return min(count - 1, Int(phase / Double(frameMs)))
    }

    /// The real-time run's animation: 300 ms a frame, the last held 3 × 300 ms.
    static let realTime = (frameMs: 300, hold: 3, count: 5)

    /// The animation and its stills in <img>, screenshotted for 2.5 cycles in real time.
    static func playInsideImg() throws -> RealTime {
        let frames = try SVGFrames.svgs(AnimationFrames.dots())
        let (frameMs, hold, n) = realTime
        guard frames.count == n else { throw DecodeError("\(frames.count) frames, not \(n)") }
        let cycle = (n - 1 + hold) * frameMs
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpgraph-img-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(AnimatedSVG.combine(frames: frames, frameMs: frameMs, lastHoldFactor: hold)).write(to: dir.appendingPathComponent("anim.svg"))
        for (k, frame) in frames.enumerated() { try Data(frame).write(to: dir.appendingPathComponent("still-\(k).svg")) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.root.appendingPathComponent("scripts/play_animation.py").path, dir.path, String(n), String(Double(cycle) * 2.5 / 1000)]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return RealTime(status: process.terminationStatus, output: output, problem: problem)
    }

    @Test("inside <img>, in real time: every screenshot is one frame's still, in the order and at the times of the slots, looping")
    func playsInsideImg() async throws {
        let (frameMs, hold, n) = Self.realTime
        let cycle = (n - 1 + hold) * frameMs
        let (status, output, problem) = try await Self.played.value.realTime.map { ($0.status, $0.output, $0.problem) }.get()
        try #require(status == 0, "scripts/play_animation.py failed: \(problem)")
        // (asked, answered, frames whose still it is), in ms after the page was asked to load.
        let shots: [(asked: Double, answered: Double, frames: Set<Int>)] = output.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            return (Double(f[0])!, Double(f[1])!, f[2] == "-" ? [] : Set(f[2].split(separator: ",").map { Int($0)! }))
        }
        // Until the image has loaded the page may be blank; from the first frame on, every
        // screenshot is exactly one of the stills (frames 1 and 2 are the same picture).
        let shown = Array(shots.drop { $0.frames.isEmpty })
        try #require(shown.count >= 20, "too few screenshots: \(output)")
        for shot in shown { #expect(!shot.frames.isEmpty, "at \(shot.asked) ms the screen is no frame's still") }
        #expect(shown[0].frames.contains(0), "the animation starts on frame 0")
        // When the animation started: the first change from frame 0 happened at frameMs.
        guard let change = shown.indices.first(where: { !shown[$0].frames.contains(0) }), change > 0 else {
            Issue.record("frame 0 never gave way: \(output)"); return
        }
        let start = (low: shown[change - 1].asked - Double(frameMs), high: shown[change].answered - Double(frameMs))
        // Each screenshot shows a frame that could be on screen somewhere in its window.
        for shot in shown {
            let earliest = shot.asked - start.high, latest = shot.answered - start.low
            var possible: Set<Int> = []
            var t = earliest
            while t <= latest { possible.insert(Self.frame(at: t, frameMs: frameMs, count: n, cycle: cycle)); t += 5 }
            possible.insert(Self.frame(at: latest, frameMs: frameMs, count: n, cycle: cycle))
            #expect(!shot.frames.isDisjoint(with: possible), "at \(Int(shot.asked))–\(Int(shot.answered)) ms frame \(shot.frames.sorted()) showed; the slots then were \(possible.sorted())")
        }
        // Every frame showed, and frame 0 came back: it loops.
        let seen = shown.reduce(into: Set<Int>()) { $0.formUnion($1.frames) }
        #expect(seen == Set(0..<n))
        #expect(shown.contains { $0.asked - start.high > Double(cycle) + 50 && $0.frames.contains(0) }, "frame 0 did not come back after the cycle")
    }
}
