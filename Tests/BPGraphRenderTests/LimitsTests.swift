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

    /// A PNG taller than cairo's 32,767-pixel limit is refused with one line, not shrunk.
    @Test func oversizedPNGIsRefused() throws {
        let inputs = (0..<600).map { #"{"id": "x\#($0)", "value": 0.5}"# }.joined(separator: ", ")
        let refs = (0..<600).map { #""x\#($0)""# }.joined(separator: ", ")
        let dot = try Self.dot(#"{"nodes": [\#(inputs), {"id": "s", "op": "add", "in": [\#(refs)]}], "output": "s"}"#)
        do {
            _ = try Renderer.shared.render(dot: dot, format: .png)
            Issue.record("expected a refusal")
        } catch let error as RenderError {
            #expect(error.message.contains("more than a PNG can hold (32767 a side); use svg or pdf, or a lower --dpi"))
        }
        // SVG has no such limit.
        #expect(try !Renderer.shared.render(dot: dot, format: .svg).isEmpty)
    }
}
