import BPGraph
@testable import BPGraphRender
import Foundation
import Testing

@Suite("Output limits and repeatable PDFs", .serialized)
struct LimitsTests {
    static func dot(_ spec: String) throws -> String {
        DOTWriter().write(try EvaluatedGraph(Graph(SpecDecoder.decode(spec, file: "t.json"))))
    }

    /// cairo stamps PDFs with the time; bpgraph fixes the date so runs are byte-identical.
    @Test func pdfBytesDoNotDependOnTheClock() throws {
        let dot = try Self.dot(#"{"nodes": [{"id": "x", "value": 0.5}, {"id": "y", "op": "exp", "in": ["x"]}], "output": "y"}"#)
        let first = try Renderer.shared.render(dot: dot, format: .pdf)
        Thread.sleep(forTimeInterval: 1.1)
        let second = try Renderer.shared.render(dot: dot, format: .pdf)
        #expect(first == second)
        #expect(String(decoding: first, as: UTF8.self).contains("/CreationDate (D:20000101000000"))
    }

    /// A PNG wider than cairo's 32,767-pixel limit is refused with one line, not shrunk:
    /// a two-node graph at 20,000 dpi is far past it, and takes no layout time.
    @Test func oversizedPNGIsRefused() throws {
        let dot = try Self.dot(#"{"nodes": [{"id": "x", "value": 0.5}, {"id": "y", "op": "exp", "in": ["x"]}], "output": "y"}"#)
        do {
            _ = try Renderer.shared.render(dot: dot, format: .png, dpi: 20_000)
            Issue.record("expected a refusal")
        } catch let error as RenderError {
            #expect(error.message.contains("pixels at 20000 dpi, more than a PNG can hold (32767 a side); use svg or pdf, or a lower --dpi"))
        }
        // The same figure at the usual resolution fits, and SVG has no such limit.
        #expect(try !Renderer.shared.render(dot: dot, format: .png).isEmpty)
        #expect(try !Renderer.shared.render(dot: dot, format: .svg, dpi: 20_000).isEmpty)
    }
}
