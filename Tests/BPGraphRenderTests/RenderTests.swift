import BPGraph
@testable import BPGraphRender
import Foundation
import Testing

@Suite("Rendering through libgvc", .serialized)
struct RenderTests {
    @Test("every template, both styles: values above, gradients below, nothing overlapping")
    func templateGeometry() throws {
        let files = Fixtures.templateFiles
        #expect(files.count >= 14)
        var problems: [String] = []
        for file in files {
            let evaluated = try Fixtures.evaluate(file)
            for style in FigureOptions.Style.allCases {
                let svg = try Fixtures.svg(evaluated, FigureOptions(style: style))
                let figure = SVGFigure(svg)
                // Every graph edge plus the trailing edge is drawn, each with its value.
                let forward = figure.edges.filter { !$0.id.hasSuffix(DOTWriter.gradientSuffix) }
                if forward.count != evaluated.graph.edges.count + 1 {
                    problems.append("\(file.lastPathComponent) [\(style)]: \(forward.count) edges drawn, expected \(evaluated.graph.edges.count + 1)")
                }
                if style == .backwardArrows {
                    // Each gradient arrow joins the same two nodes as its forward arrow.
                    for back in figure.edges where back.id.hasSuffix(DOTWriter.gradientSuffix) {
                        let id = String(back.id.dropLast(DOTWriter.gradientSuffix.count))
                        if figure.edges.first(where: { $0.id == id })?.title != back.title {
                            problems.append("\(file.lastPathComponent): \(back.id) does not join the nodes of \(id)")
                        }
                    }
                }
                problems += geometryProblems(svg).map { "\(file.lastPathComponent) [\(style)]: \($0)" }
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(problems.count) problems:\n" + problems.joined(separator: "\n")))
    }

    @Test("150 random graphs, both styles: values above, gradients below, nothing overlapping")
    func randomGraphs() throws {
        var rng = SplitMix64(seed: 7)
        var problems: [String] = []
        let ops = ["add", "mul", "sub", "exp", "tanh", "sigmoid"]
        for k in 0..<150 {
            var nodes: [String] = []
            let inputs = Int.random(in: 2...4, using: &rng)
            for i in 0..<inputs { nodes.append("{\"id\": \"x\(i)\", \"value\": \(Double(Int.random(in: -20...20, using: &rng)) / 10)}") }
            var ids = (0..<inputs).map { "x\($0)" }
            for j in 0..<Int.random(in: 2...7, using: &rng) {
                let op = ops[Int.random(in: 0..<ops.count, using: &rng)]
                let unary = ["exp", "tanh", "sigmoid"].contains(op)
                let a = ids[Int.random(in: 0..<ids.count, using: &rng)]
                let b = ids[Int.random(in: 0..<ids.count, using: &rng)]
                let args = unary ? "[\"\(a)\"]" : "[\"\(a)\", \"\(b)\"]"
                nodes.append("{\"id\": \"n\(j)\", \"op\": \"\(op)\", \"in\": \(args)}")
                ids.append("n\(j)")
            }
            let spec = "{\"nodes\": [\(nodes.joined(separator: ", "))], \"output\": \"\(ids.last!)\"}"
            let evaluated = try Fixtures.evaluate(spec)
            for style in FigureOptions.Style.allCases {
                let svg = try Fixtures.svg(evaluated, FigureOptions(style: style))
                let found = geometryProblems(svg)
                if !found.isEmpty, let folder = ProcessInfo.processInfo.environment["BPGRAPH_TEST_ARTIFACTS"] {
                    try? svg.write(toFile: "\(folder)/random-\(k)-\(style).svg", atomically: true, encoding: .utf8)
                    try? spec.write(toFile: "\(folder)/random-\(k).json", atomically: true, encoding: .utf8)
                }
                problems += found.map { "graph \(k) [\(style)]: \($0)" }
            }
        }
        // Crowded random graphs may leave a few near misses; the placement must stay the rule.
        #expect(problems.isEmpty, Comment(rawValue: "\(problems.count) problems:\n" + problems.joined(separator: "\n")))
    }

    @Test("top to bottom: every template's values left of their edges, gradients right, nothing overlapping")
    func topToBottom() throws {
        var problems: [String] = []
        for file in Fixtures.templateFiles {
            for style in FigureOptions.Style.allCases {
                let svg = try Fixtures.svg(try Fixtures.evaluate(file), FigureOptions(direction: .topToBottom, style: style))
                problems += geometryProblems(svg, topToBottom: true).map { "\(file.lastPathComponent) [TB, \(style)]: \($0)" }
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(problems.count) problems:\n" + problems.joined(separator: "\n")))
    }

    @Test("PNG, SVG and PDF start with their magic bytes; DOT is the DOT text")
    func magicBytes() throws {
        let png = try Fixtures.figure(Fixtures.sigmoid, format: .png).bytes()
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let svg = try Fixtures.figure(Fixtures.sigmoid, format: .svg).bytes()
        #expect(String(decoding: svg, as: UTF8.self).hasPrefix("<?xml"))
        #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
        let pdf = try Fixtures.figure(Fixtures.sigmoid, format: .pdf).bytes()
        #expect(Array(pdf.prefix(5)) == Array("%PDF-".utf8))
        let dot = try Fixtures.figure(Fixtures.sigmoid, format: .dot)
        #expect(try dot.bytes() == Array(dot.dot.utf8))
        #expect(dot.dot == DOTWriter().write(try Fixtures.evaluate(Fixtures.sigmoid)))
    }

    @Test("PNG pixel size scales with the DPI")
    func dpiScales() throws {
        func size(_ dpi: Double) throws -> (Int, Int) {
            let png = try Fixtures.figure(Fixtures.sigmoid, format: .png, dpi: dpi).bytes()
            func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
            return (be32(16), be32(20))
        }
        let small = try size(72), large = try size(216)
        #expect(small.0 > 100 && small.1 > 40)
        #expect(abs(large.0 - 3 * small.0) <= 3, "width \(small.0) at 72 dpi, \(large.0) at 216 dpi")
        #expect(abs(large.1 - 3 * small.1) <= 3, "height \(small.1) at 72 dpi, \(large.1) at 216 dpi")
    }

    @Test("rendering is deterministic: same bytes twice")
    func deterministic() throws {
        for format in [OutputFormat.png, .svg] {
            let figure = try Fixtures.figure(Fixtures.sigmoid, format: format)
            #expect(try figure.bytes() == figure.bytes())
        }
    }

    @Test("hostile labels show literally and add no node or attribute")
    func hostileLabels() throws {
        let hostile = ["\\\"]; evil -> pwn [label=\\\"x", "<b>bold</b>", "&amp; \\\\N \\\\l \\\\G", "ends in \\\\"]
        for text in hostile {
            let spec = """
                { "title": "\(text)", "nodes": [
                    { "id": "\(text)", "value": 1, "name": "\(text)", "group": "\(text)" },
                    { "id": "y", "op": "exp", "in": ["\(text)"], "label": "\(text)" } ],
                  "output": "y" }
                """
            let evaluated = try Fixtures.evaluate(spec)
            let literal = evaluated.graph.nodes[0].name!
            let svg = try Fixtures.svg(evaluated)
            let figure = SVGFigure(svg)
            #expect(figure.nodeCount == 3, "\(literal): \(figure.nodeCount) nodes")  // x, y and the trailing edge's end
            #expect(figure.edges.count == 2)
            let texts = figure.otherTexts.map(\.content) + figure.nodeShapes.map(\.title)
            #expect(texts.filter { $0 == literal }.count >= 2, "\(literal) not shown literally: \(texts)")
            #expect(!svg.contains("pwn\""), "an edge to pwn appeared")
            #expect(!svg.contains("<b>"))
        }
    }

    @Test("Korean text renders with a Hangul font (not boxes)")
    func korean() throws {
        let evaluated = try Fixtures.evaluate("""
            { "title": "시그모이드 계층", "nodes": [ { "id": "x", "value": 1, "name": "입력" },
              { "id": "y", "op": "exp", "in": ["x"] } ], "output": "y" }
            """)
        let svg = try Fixtures.svg(evaluated)
        #expect(svg.contains("시그모이드 계층"))
        #expect(svg.contains("NanumGothic"))
        // The font list names NanumGothic, and fontconfig has a Korean font to give.
        let fc = Process()
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let fcList = path.split(separator: ":").map({ "\($0)/fc-list" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            Issue.record("fontconfig's fc-list is not on PATH (scripts/setup installs fontconfig with the fonts)")
            return
        }
        fc.executableURL = URL(fileURLWithPath: fcList)
        fc.arguments = [":lang=ko", "family"]
        let pipe = Pipe()
        fc.standardOutput = pipe
        try fc.run()
        let families = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        fc.waitUntilExit()
        #expect(families.contains("Nanum"), "no Korean font installed (scripts/setup installs fonts-nanum)")
    }

    @Test("callers on many threads are serialized: no crash, identical output")
    func concurrentCallers() throws {
        let dot = DOTWriter().write(try Fixtures.evaluate(Fixtures.sigmoid))
        let expected = try Renderer.shared.render(dot: dot, format: .svg)
        let lock = NSLock()
        var results: [[UInt8]] = [], failures: [String] = [], pngs = 0
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            do {
                let bytes = try Renderer.shared.render(dot: dot, format: i % 2 == 0 ? .svg : .png)
                lock.lock(); if i % 2 == 0 { results.append(bytes) } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { pngs += 1 }; lock.unlock()
            } catch {
                lock.lock(); failures.append("\(i): \(error)"); lock.unlock()
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(results.count == 16 && pngs == 16)
        #expect(results.allSatisfy { $0 == expected })
    }

    @Test("a Graphviz error becomes one line, and the next figure still renders")
    func errorsAreOneLine() throws {
        do {
            _ = try Renderer.shared.render(dot: "digraph { a -> ; }", format: .svg)
            Issue.record("a syntax error was accepted")
        } catch let error as RenderError {
            #expect(!error.message.contains("\n"))
            #expect(error.message.hasPrefix("Graphviz"))
        }
        // A second graph in the same text is not carried over into the next read.
        _ = try Renderer.shared.render(dot: "digraph { p -> q } digraph { leftover -> z }", format: .svg)
        let svg = try Renderer.shared.render(dot: "digraph { a -> b }", format: .svg)
        #expect(!String(decoding: svg, as: UTF8.self).contains("leftover"))
        #expect(String(decoding: svg, as: UTF8.self).contains("<title>a&#45;&gt;b</title>"))
    }
}
