import BPGraph
@testable import BPGraphRender
import Foundation
import Testing

@Suite("Output limits and repeatable PDFs", .serialized)
struct LimitsTests {
    static let twoNodes = #"{"nodes": [{"id": "x", "value": 0.5}, {"id": "y", "op": "exp", "in": ["x"]}], "output": "y"}"#

    static func figure(_ spec: String, format: OutputFormat, dpi: Double = 144, maxNodes: Int = FigureSettings.defaultMaxNodes) throws -> Figure {
        try Figure(text: spec, file: "t.json", settings: FigureSettings(format: format, dpi: dpi, maxNodes: maxNodes))
    }

    /// cairo stamps PDFs with the time; bpgraph fixes the date so runs are byte-identical.
    @Test func pdfBytesDoNotDependOnTheClock() throws {
        let figure = try Self.figure(Self.twoNodes, format: .pdf)
        let first = try figure.bytes()
        Thread.sleep(forTimeInterval: 1.1)
        let second = try figure.bytes()
        #expect(first == second)
        #expect(String(decoding: first, as: UTF8.self).contains("/CreationDate (D:20000101000000"))
    }

    /// A PNG wider than cairo's 32,767-pixel limit is refused with one line, not shrunk:
    /// a two-node graph at 20,000 dpi is far past it, and takes no layout time.
    @Test func oversizedPNGIsRefused() throws {
        do {
            _ = try Self.figure(Self.twoNodes, format: .png, dpi: 20_000).bytes()
            Issue.record("expected a refusal")
        } catch let error as SpecError {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics.first?.lines.count == 1)
            #expect(error.diagnostics.first?.lines.first?.hasPrefix("t.json: the figure is ") == true)
            #expect(error.diagnostics.first?.message.contains("pixels at 20000 dpi, more than a PNG can hold (32767 a side); use svg or pdf, or a lower --dpi") == true)
        }
        // The same figure at the usual resolution fits, and SVG has no such limit.
        #expect(try !Self.figure(Self.twoNodes, format: .png).bytes().isEmpty)
        #expect(try !Self.figure(Self.twoNodes, format: .svg, dpi: 20_000).bytes().isEmpty)
    }

    /// A graph above --max-nodes is refused before it is evaluated or laid out, naming the spec.
    @Test func graphsAboveMaxNodesAreRefused() throws {
        do {
            _ = try Self.figure(Self.twoNodes, format: .svg, maxNodes: 1)
            Issue.record("expected a refusal")
        } catch let error as SpecError {
            #expect(error.diagnostics.map(\.kind) == [.limit])
            #expect(error.description == "t.json: 2 nodes is more than --max-nodes 1; a figure that large is unreadable and slow to lay out (eval and check work on any size)")
        }
        #expect(try Self.figure(Self.twoNodes, format: .svg, maxNodes: 2).dot.hasPrefix("digraph"))
    }

    /// --theme auto makes one SVG; other formats are refused by `bytes()` and drawn per theme by `themes`.
    @Test func autoThemeIsOneSVGOrOneFigurePerTheme() throws {
        let options = FigureOptions(darkTheme: .dark)
        let svg = try Figure(text: Self.twoNodes, file: "t.json", settings: FigureSettings(options: options, format: .svg))
        #expect(String(decoding: try svg.bytes(), as: UTF8.self).contains("prefers-color-scheme: dark"))
        let png = try Figure(text: Self.twoNodes, file: "t.json", settings: FigureSettings(options: options, format: .png))
        #expect(throws: SpecError.self) { try png.bytes() }
        #expect(png.themes.count == 2)
        #expect(try png.themes.map { try $0.bytes().prefix(4) } == [[0x89, 0x50, 0x4E, 0x47], [0x89, 0x50, 0x4E, 0x47]])
        #expect(png.themes[1].dot == DOTWriter(options: options.dark!).write(try EvaluatedGraph(Graph(SpecDecoder.decode(Self.twoNodes, file: "t.json")))))
    }
}
