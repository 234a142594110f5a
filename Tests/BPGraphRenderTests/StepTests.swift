import BPGraph
@testable import BPGraphRender
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Step frames (`render --steps`): one layout for every frame, the labels each step shows,
/// captions whose numbers are `eval --json`'s, and tooltips.
@Suite("Step frames", .serialized)
struct StepTests {
    static let specs = ["08-sigmoid.json", "15-micrograd.json", "16-neuron.json", "12-softmax-with-loss.json", "06-affine.json"]

    static func frames(_ evaluated: EvaluatedGraph, _ options: FigureOptions = FigureOptions(), format: OutputFormat = .svg) throws -> [Drawing] {
        let figure = DOTWriter(options: options).plan(evaluated)
        return try Renderer.shared.drawSteps(plan: figure, steps: StepPlan(evaluated, options: options).steps,
                                             style: StepStyle(theme: options.theme), format: format)
    }

    static func svgs(_ evaluated: EvaluatedGraph, _ options: FigureOptions = FigureOptions()) throws -> [String] {
        try frames(evaluated, options).map { String(decoding: try $0.encoded(), as: UTF8.self) }
    }

    /// The `<svg>` element's size and view box.
    static func canvas(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg"), let end = svg[start.upperBound...].firstIndex(of: ">") else { return "" }
        return String(svg[start.lowerBound..<end])
    }

    /// Every text of every edge, by edge id, with its place: "id: content @ x,y".
    static func edgeTexts(_ figure: SVGFigure) -> Set<String> {
        Set(figure.edges.flatMap { e in e.texts.map { "\(e.id): \($0.content) @ \($0.x),\($0.y) \($0.fill)" } })
    }

    @Test("a frame per node, per edge and for the seed, and the end: N + E + 2; forward-only N + 1")
    func frameCount() throws {
        for name in Self.specs {
            let evaluated = try Fixtures.evaluate(Fixtures.templates.appendingPathComponent(name))
            let graph = evaluated.graph
            let steps = StepPlan(evaluated, options: FigureOptions()).steps
            #expect(steps.count == graph.nodes.count + graph.edges.count + 2, "\(name)")
            #expect(steps.filter { if case .forward = $0.kind { return true } else { return false } }.count == graph.nodes.count)
            // Forward in evaluation order, backward from the output back.
            #expect(steps.prefix(graph.nodes.count).map(\.kind) == graph.order.map { .forward(node: $0) })
            #expect(steps[graph.nodes.count].kind == .backward(edge: nil))
            #expect(StepPlan(evaluated, options: FigureOptions(forwardOnly: true)).steps.count == graph.nodes.count + 1)
            #expect(try Self.frames(evaluated).count == steps.count)
        }
    }

    @Test("every frame: the same canvas, and every node, edge and label at the same coordinates; the last frame is the plain figure's labels")
    func oneLayout() throws {
        for name in Self.specs {
            for style in FigureOptions.Style.allCases {
                let options = FigureOptions(style: style)
                let evaluated = try Fixtures.evaluate(Fixtures.templates.appendingPathComponent(name))
                let frames = try Self.svgs(evaluated, options)
                let figures = frames.map(SVGFigure.init)
                let last = figures.last!
                let plain = SVGFigure(String(decoding: try Renderer.shared.render(plan: DOTWriter(options: options).plan(evaluated), format: .svg), as: UTF8.self))
                #expect(Self.edgeTexts(last) == Self.edgeTexts(plain), "\(name) [\(style)]: the last frame's labels are not the plain figure's")
                let lastTexts = Self.edgeTexts(last)
                let lastPaths = Dictionary(last.edges.map { ($0.id, $0.paths.map { $0.map { "\($0.0),\($0.1)" } }) }, uniquingKeysWith: { a, _ in a })
                // (The caption is the one node whose text changes; its place is checked below.)
                func places(_ f: SVGFigure) -> [String] {
                    f.nodeShapes.filter { !$0.title.hasPrefix("bpgraph caption") }.map { "\($0.title) \($0.box.minX) \($0.box.minY) \($0.box.maxX) \($0.box.maxY)" }
                }
                let nodes = places(last)
                #expect(nodes == places(plain), "\(name) [\(style)]: the nodes are not where the plain figure has them")
                let captionPlace = Self.captionPlace(frames.last!)
                #expect(captionPlace != nil)
                for (k, figure) in figures.enumerated() {
                    #expect(Self.canvas(frames[k]) == Self.canvas(frames[0]), "\(name) [\(style)] frame \(k): another canvas")
                    // Highlighting changes the pen, never a place: node outlines and texts, edge paths, labels.
                    #expect(places(figure) == nodes, "\(name) [\(style)] frame \(k): a node moved")
                    #expect(Self.captionPlace(frames[k]) == captionPlace, "\(name) [\(style)] frame \(k): the caption moved")
                    for edge in figure.edges {
                        #expect(edge.paths.map { $0.map { "\($0.0),\($0.1)" } } == lastPaths[edge.id], "\(name) [\(style)] frame \(k): \(edge.id) moved")
                    }
                    let texts = Self.edgeTexts(figure)
                    #expect(texts.isSubset(of: lastTexts), "\(name) [\(style)] frame \(k): a label moved: \(texts.subtracting(lastTexts).sorted())")
                }
                // No gradient before the backward pass, all of them at the end.
                let red = Theme.light.gradient
                #expect(!figures[0].edges.contains { $0.texts.contains { $0.fill == red } }, "\(name): a gradient in the first frame")
                #expect(figures[evaluated.graph.nodes.count - 1].edges.flatMap(\.texts).filter { $0.fill == red }.isEmpty)
                #expect(last.edges.flatMap(\.texts).filter { $0.fill == red }.count == plain.edges.flatMap(\.texts).filter { $0.fill == red }.count)
            }
        }
    }

    @Test("PNG frames: one size, and the last frame's pixels are the plain figure's above the caption band")
    func pngFrames() throws {
        let evaluated = try Fixtures.evaluate(Fixtures.sigmoid)
        let frames = try Self.frames(evaluated, format: .png)
        let sizes = Set(frames.map { "\($0.pixelSize!.width)x\($0.pixelSize!.height)" })
        #expect(sizes.count == 1)
        let plain = try Renderer.shared.draw(plan: DOTWriter().plan(evaluated), format: .png)
        #expect(frames[0].pixelSize!.height > plain.pixelSize!.height)
        // Frames differ from each other (labels appear, the highlight moves).
        #expect(Set(try frames.map { try $0.encoded() }).count == frames.count)
    }

    @Test("each step's caption: its numbers are eval --json's, to the figure's digits")
    func captionsAreTheEvaluatedNumbers() throws {
        for name in Self.specs {
            let evaluated = try Fixtures.evaluate(Fixtures.templates.appendingPathComponent(name))
            let graph = evaluated.graph
            let options = FigureOptions(numbers: NumberFormat(precision: 6))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(EvalJSON.encode(evaluated).utf8)) as? [String: Any])
            let nodes = try #require(json["nodes"] as? [[String: Any]]), edges = try #require(json["edges"] as? [[String: Any]])
            func close(_ text: Substring, _ exact: Double) -> Bool {
                guard let x = Double(text.replacingOccurrences(of: "\u{2212}", with: "-")) else { return false }
                return abs(x - exact) <= 5e-6 * max(abs(exact), 1e-300) + 1e-12
            }
            for step in StepPlan(evaluated, options: options).steps {
                let caption = step.caption
                switch step.kind {
                case .forward(let i):
                    guard let value = nodes[i]["value"] as? Double else { continue }  // tensors: written out or as a shape
                    // `mul: forward 0.5 × (−1) = −0.5`, `input x = 0.5`, `constant −1`: the last word.
                    let result = caption.split(separator: " ").last!
                    #expect(close(result, value), "\(name): \(caption) ≠ \(value)")
                case .backward(let e?):
                    if edges[e]["grad"] is NSNull {
                        #expect(caption.contains("no gradient"), "\(name): \(caption)")
                        continue
                    }
                    guard let dg = edges[e]["grad"] as? Double else {
                        // A tensor: written out, number for number, or as its shape.
                        let last = caption.components(separatedBy: " = ").last!
                        if last.hasPrefix("[") {
                            let shown = Self.numbers(last), exact = Self.flatten(edges[e]["grad"]!)
                            #expect(shown.count == exact.count && zip(shown, exact).allSatisfy { abs($0 - $1) <= 5e-6 * max(abs($1), 1e-300) + 1e-12 },
                                    "\(name): \(caption) ≠ DG \(exact)")
                        } else {
                            #expect(last.hasPrefix("(shape "), "\(name): \(caption)")
                        }
                        continue
                    }
                    let parts = caption.components(separatedBy: " = ")
                    #expect(close(Substring(parts.last!), dg), "\(name): \(caption) ≠ DG \(dg)")
                    if caption.contains("UG × LG"), let ug = nodes[graph.edges[e].to]["grad"] as? Double {
                        let factors = parts[parts.count - 2].components(separatedBy: " × ")
                        #expect(factors.count == 2 && close(Substring(factors[0]), ug), "\(name): \(caption): UG ≠ \(ug)")
                        let lg = factors.count == 2 ? Double(factors[1].trimmingCharacters(in: CharacterSet(charactersIn: "()")).replacingOccurrences(of: "\u{2212}", with: "-")) : nil
                        #expect(lg.map { abs($0 * ug - dg) <= 1e-5 * max(abs(dg), 1e-9) + 1e-9 } ?? false, "\(name): \(caption): UG × LG ≠ DG")
                    }
                case .backward(nil):
                    #expect(caption.hasSuffix("= " + options.numbers.format(graph.seed.data[0])) || graph.seed.count > 1)
                case .end:
                    #expect(caption.hasPrefix("done: "))
                }
            }
        }
    }

    @Test("the sigmoid's captions in the notes' vocabulary")
    func sigmoidCaptions() throws {
        let captions = StepPlan(try Fixtures.evaluate(Fixtures.sigmoid), options: FigureOptions()).steps.map(\.caption)
        #expect(captions.contains("exp: forward e^(−0.5) = 0.607"))
        #expect(captions.contains("exp: ∂L/∂a = UG × LG = −0.387 × 0.607 = −0.235"))
        #expect(captions.contains("seed: ∂L/∂y = 1"))
        #expect(captions.last == "done: y = 0.622, ∂L/∂x = 0.235")
    }

    @Test("reruns give the same bytes, SVG and PNG")
    func deterministic() throws {
        let evaluated = try Fixtures.evaluate(Fixtures.templates.appendingPathComponent("16-neuron.json"))
        for format in [OutputFormat.svg, .png] {
            let a = try Self.frames(evaluated, format: format).map { try $0.encoded() }
            let b = try Self.frames(evaluated, format: format).map { try $0.encoded() }
            #expect(a == b, "\(format)")
        }
    }

    @Test("tooltips: full-precision numbers in every SVG, and user text that cannot break the SVG")
    func tooltips() throws {
        let evaluated = try Fixtures.evaluate(Fixtures.sigmoid)
        let svg = String(decoding: try Renderer.shared.render(plan: DOTWriter().plan(evaluated), format: .svg), as: UTF8.self)
        let titles = Self.tooltips(svg)
        #expect(titles.contains { $0.hasPrefix("a → b") && $0.contains("gradient: " + EvalJSON.number(evaluated.edgeGradient(from: "a", to: "b")!.scalar)) && $0.contains("local gradient ∂b/∂a: exp(a) = 0.6065306597126334") })
        #expect(titles.contains { $0.hasPrefix("y: reciprocal (/)") && $0.contains("value: " + EvalJSON.number(evaluated.value("y")!.scalar)) })
        // A node's shapes stay children of its `<g class="node">` (what styles and tools select):
        // its tooltip is the group's title, not a link wrapped around them.
        #expect(!svg.contains("<g id=\"a_node"), "a node's shapes are wrapped in a tooltip link")
        #expect(svg.contains("<title>y: reciprocal (/), the output&#10;value: "))
        // Frames carry the same tooltips.
        let frame = try Self.svgs(evaluated)[3]
        #expect(Set(Self.tooltips(frame)).isSuperset(of: titles.filter { $0.contains("→") }))

        // Quotes, angle brackets, ampersands and Graphviz escapes in ids and labels.
        let nasty = #"{"title": "<b>&amp;\"", "nodes": [{"id": "x\"<i>&\\N", "value": 2}, {"id": "y", "op": "exp", "in": ["x\"<i>&\\N"], "label": "</text>\"\\G"}], "output": "y"}"#
        let nastySVG = String(decoding: try Renderer.shared.render(plan: DOTWriter().plan(try Fixtures.evaluate(nasty)), format: .svg), as: UTF8.self)
        let parsed = Self.tooltips(nastySVG)
        #expect(!parsed.isEmpty, "the SVG did not parse as XML")
        #expect(parsed.contains { $0.hasPrefix("x\"<i>&\\\u{2060}N: input") })
        #expect(parsed.contains { $0.hasPrefix("y: exp (</text>\"\\\u{2060}G)") })
        let nastyFrames = try Self.svgs(try Fixtures.evaluate(nasty))
        #expect(nastyFrames.allSatisfy { !Self.tooltips($0).isEmpty })
    }

    static func flatten(_ value: Any) -> [Double] {
        if let x = value as? Double { return [x] }
        if let a = value as? [Any] { return a.flatMap(flatten) }
        return []
    }

    /// The numbers of a caption's text (true minus signs read as minus).
    static func numbers(_ text: String) -> [Double] {
        text.replacingOccurrences(of: "\u{2212}", with: "-")
            .split(whereSeparator: { !($0.isNumber || $0 == "." || $0 == "-" || $0 == "e") }).compactMap { Double($0) }
    }

    /// Where the caption's text is anchored (`x,y`): its `<g id="caption">`'s text.
    static func captionPlace(_ svg: String) -> String? {
        guard let start = svg.range(of: "<g id=\"caption\" class=\"node\">"),
              let text = svg[start.upperBound...].range(of: "<text") else { return nil }
        let line = svg[text.lowerBound...].prefix { $0 != "\n" }
        return SVGFigure.attribute("x", in: String(line)).flatMap { x in SVGFigure.attribute("y", in: String(line)).map { x + "," + $0 } }
    }

    /// The SVG's tooltips, read by an XML parser (empty when it is not XML): edges'
    /// `xlink:title`, and the `<title>` of each `<g class="node">` (bpgraph moves a node's
    /// tooltip there, its shapes staying children of the node's group).
    static func tooltips(_ svg: String) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var titles: [String] = []
            var groups: [String?] = []
            var title: String?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if let t = attributes["xlink:title"] { titles.append(t) }
                if name == "g" { groups.append(attributes["class"]) }
                if name == "title", groups.last == "node" { title = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { title? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "g" { groups.removeLast() }
                if name == "title", let t = title { titles.append(t); title = nil }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.titles : []
    }
}

@Suite("Step animations", .serialized)
struct StepAnimationTests {
    @Test("the APNG of the steps: acTL says N frames, each frame is that step's still PNG, a plain reader sees the first")
    func apngOfTheSteps() throws {
        let evaluated = try Fixtures.evaluate(Fixtures.templates.appendingPathComponent("16-neuron.json"))
        let frames = try StepTests.frames(evaluated, format: .png)
        let stills = try frames.map { try $0.encoded() }
        let apng = try APNGEncoder.encode(frames: frames, delaysMs: try APNGEncoder.delays(count: frames.count, frameMs: 900))
        let decoded = try decodeAPNG(apng)
        #expect(decoded.frameCount == StepPlan(evaluated, options: FigureOptions()).steps.count)
        #expect(decoded.controls.map(\.delayMs).last == 2700)
        for (k, still) in stills.enumerated() {
            #expect(decoded.frames[k] == (try decodeStillPNG(still)), "frame \(k) is not its step's still PNG")
        }
        #expect(try decodeStillPNG(apng) == decodeStillPNG(stills[0]))
    }

    @Test("the animated SVG of the steps: one group per frame, keyframes for each, and the frames' tooltips")
    func svgOfTheSteps() throws {
        let evaluated = try Fixtures.evaluate(Fixtures.sigmoid)
        let frames = try StepTests.frames(evaluated).map { try $0.encoded() }
        let svg = String(decoding: try AnimatedSVG.combine(frames: frames, frameMs: 900), as: UTF8.self)
        #expect(svg.components(separatedBy: "class=\"bpf\"").count - 1 == frames.count)
        #expect(svg.components(separatedBy: "@keyframes").count - 1 == frames.count)
        #expect(!svg.contains("<script") && !svg.contains("<animate"))
        #expect(StepTests.tooltips(svg).contains { $0.hasPrefix("a → b") })
    }
}

@Suite("The typed label plan", .serialized)
struct LabelTableTests {
    @Test("the renderer draws the DOT writer's typed labels, not what it could re-read from the DOT")
    func typedLabelsAreDrawn() throws {
        let evaluated = try Fixtures.evaluate(Fixtures.sigmoid)
        for style in FigureOptions.Style.allCases {
            var figure = DOTWriter(options: FigureOptions(style: style)).plan(evaluated)
            let k = try #require(figure.labels.edges.firstIndex { $0.id == "e2" })
            #expect(figure.labels.edges[k].value == "−0.5" && figure.labels.edges[k].gradient == "−0.235")
            #expect((figure.labels.edges[k].gradientEdge != nil) == (style == .backwardArrows))
            figure.labels.edges[k].value = "typed value"
            figure.labels.edges[k].gradient = "typed \\\"gradient\\\""
            let svg = SVGFigure(String(decoding: try Renderer.shared.render(plan: figure, format: .svg), as: UTF8.self))
            let texts = svg.edges.filter { $0.id.hasPrefix("e2") }.flatMap(\.texts).map(\.content)
            #expect(Set(texts) == ["typed value", "typed \"gradient\""], "\(style): \(texts)")
        }
    }

    @Test("every template, both styles: the typed plan draws the same bytes as reading the labels back from the DOT")
    func typedEqualsRead() throws {
        for file in Fixtures.templateFiles {
            let evaluated = try Fixtures.evaluate(file)
            for style in FigureOptions.Style.allCases {
                let figure = DOTWriter(options: FigureOptions(style: style)).plan(evaluated)
                for format in [OutputFormat.svg, .png] {
                    #expect(try Renderer.shared.render(plan: figure, format: format) == Renderer.shared.render(dot: figure.dot, format: format),
                            "\(file.lastPathComponent) [\(style)] \(format)")
                }
            }
        }
    }
}
