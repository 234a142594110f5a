import BPGraph
import Foundation
import Testing

@Suite("hostile input in the library")
struct LibraryRobustnessTests {
    @Test("check passes an exact gradient through a sum of 300,000 terms")
    func checkScalesNoiseWithTerms() throws {
        let spec = try SpecDecoder.decode(#"{"nodes":[{"id":"x","value":1.5},{"id":"r","op":"repeat","in":["x"],"times":300000},{"id":"s","op":"sum","in":["r"]}],"output":"s"}"#, file: "s.json")
        let evaluated = try EvaluatedGraph(Graph(spec))
        #expect(evaluated.gradient("x") == Tensor(300000))
        let check = try GradientCheck(evaluated)
        #expect(check.passes(tolerance: 1e-6), "error \(check.maxError)")
    }

    @Test("a literal past the per-value cap is refused before its numbers are copied")
    func literalCap() throws {
        // 10,001 rows of 1,000: one row shared by every element, so the test builds no 10M tree.
        let row = SpecValue(.array(Array(repeating: SpecValue(.number(1)), count: 1000)))
        let big = SpecValue(.array(Array(repeating: row, count: 10_001)))
        guard case .failure(let problem) = SpecDecoder.tensor(from: big) else {
            Issue.record("a literal of 10,001,000 elements was accepted")
            return
        }
        #expect(problem.message == "a value of shape (10001, 1000) is too large (at most 10000000 elements)")
        let fits = SpecValue(.array(Array(repeating: row, count: 3)))
        #expect((try? SpecDecoder.tensor(from: fits).get())?.shape == [3, 1000])
    }

    @Test("messages escape control and format characters once, where they become text")
    func messageText() throws {
        #expect(MessageText.escaped("a\nb\r\u{1B}[2J\u{7F}\u{85}\u{200B}\u{2028}\u{202E}\u{E0001}\tc\\n") == #"a\nb\r\u001b[2J\u007f\u0085\u200b\u2028\u202e\udb40\udc01"# + "\tc\\n")
        #expect(MessageText.escaped("ä 한 \u{1F600}") == "ä 한 \u{1F600}")
        let once = MessageText.escaped("x\u{1B}y\n")
        #expect(MessageText.escaped(once) == once)
        // The caret stays under the column when the line shows an escape.
        do {
            _ = try SpecDecoder.decode("{\"expr\": \"y = \\u001b + )\", \"values\": {}}", file: "f.json")
            Issue.record("no error")
        } catch let error as SpecError {
            #expect(error.description == "f.json: expr: unexpected character U+1B at column 5\n  y = \\u001b + )\n      ^")
        }
    }

    @Test("an expression of 20,000 variables and an object of 20,000 keys decode (duplicate keys still found)")
    func manyKeys() throws {
        let n = 20_000
        let expression = "y = " + (0..<n).map { "x\($0)" }.joined(separator: " + ")
        let values = (0..<n).map { "\"x\($0)\": 1" }.joined(separator: ", ")
        let spec = try SpecDecoder.decode("{\"expr\": \"\(expression)\", \"values\": {\(values)}}", file: "f.json")
        #expect(spec.nodes.count == 2 * n - 1)
        #expect(throws: SpecError.self) { try SpecDecoder.decode(#"{"nodes": [], "output": "x", "nodes": []}"#, file: "f.json") }
    }
}
