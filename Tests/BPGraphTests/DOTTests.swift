@testable import BPGraph
import Foundation
import Testing

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let templates = root.appendingPathComponent("Templates")
private let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("DOTGolden")

private func evaluateSpec(_ text: String, file: String = "test.json") throws -> EvaluatedGraph {
    try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: file, format: SpecFormat.from(fileName: file))))
}

private var templateNames: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: templates.path)) ?? [])
        .filter { $0.hasSuffix(".json") || $0.hasSuffix(".yaml") }.sorted()
}

@Suite("DOT golden files")
struct DOTGoldenTests {
    /// Each template's DOT, in both styles, against its golden file. Re-record with
    /// `BPGRAPH_RECORD=1 swift test --filter DOTGolden`.
    @Test("every template's DOT is byte-identical to its golden file", arguments: FigureOptions.Style.allCases)
    func golden(style: FigureOptions.Style) throws {
        let record = ProcessInfo.processInfo.environment["BPGRAPH_RECORD"] == "1"
        #expect(templateNames.count >= 14)
        for name in templateNames {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            let evaluated = try evaluateSpec(text, file: name)
            let dot = DOTWriter(options: FigureOptions(style: style)).write(evaluated)
            // Deterministic: a second writer gives the same bytes.
            #expect(dot == DOTWriter(options: FigureOptions(style: style)).write(try evaluateSpec(text, file: name)))
            let base = (name as NSString).deletingPathExtension + (style == .labels ? "" : ".backward") + ".dot"
            let golden = goldens.appendingPathComponent(base)
            if record {
                try dot.write(to: golden, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(dot == expected, "\(base) differs from its golden file; re-record with BPGRAPH_RECORD=1 if intended")
        }
    }
}

@Suite("Numbers in figures")
struct NumberFormatTests {
    @Test func significantDigits() {
        let f = NumberFormat()
        #expect(f.format(0.2350037122015945) == "0.235")
        #expect(f.format(-0.5) == "\u{2212}0.5")
        #expect(f.format(1) == "1")
        #expect(f.format(-0.0) == "0")
        #expect(f.format(0.5000) == "0.5")
        #expect(f.format(1.6065306597) == "1.61")
        #expect(f.format(9.996) == "10")
        #expect(f.format(12345) == "12345")
        #expect(f.format(1234567.8) == "1.23e6")
        #expect(f.format(0.000012345) == "1.23e\u{2212}5")
        #expect(f.format(0.0012345) == "0.00123")
        #expect(NumberFormat(precision: 5).format(3.14159265) == "3.1416")
        #expect(NumberFormat(precision: 1).format(0.26) == "0.3")
    }

    @Test func tensors() {
        let f = NumberFormat()
        #expect(f.lines(Tensor(vector: [1, -2.5])).lines == ["[1, \u{2212}2.5]"])
        let m = f.lines(Tensor(matrix: [[1, 2], [3, 4]]))
        #expect(m.lines == ["[[1, 2],", " [3, 4]]"])
        #expect(m.leftAligned)
        #expect(f.lines(Tensor.zeros([5, 5])).lines == ["5×5"])
        #expect(f.lines(Tensor.zeros([2, 3, 4])).lines == ["2×3×4"])
        #expect(f.lines(Tensor.zeros([10])).lines == ["(10)"])
    }

    @Test("the C library's rounding is String(format:)'s, digit for digit")
    func cFormatMatchesStringFormat() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [1, 0.5, 0.25, 0.125, 2.5, 1e-300, 5e-324, 1e300, .greatestFiniteMagnitude, 0.1, 0.3, 0.7,
                                9.995, 9.9995, 0.00012345, 123456.5, 999999.5, 1.0000000000000002]
        for _ in 0..<2000 {
            let exponent = Double(Int.random(in: -12...16, using: &generator))
            values.append(Double.random(in: 1..<10, using: &generator) * pow(10, exponent))
        }
        for x in values {
            for decimals in 0...18 {
                #expect(NumberFormat.cFormat(x, "e", decimals) == String(format: "%.\(decimals)e", x), "\(x) %.\(decimals)e")
                if x < 1e20 {
                    #expect(NumberFormat.cFormat(x, "f", decimals) == String(format: "%.\(decimals)f", x), "\(x) %.\(decimals)f")
                }
            }
        }
    }
}

@Suite("Escaping user text")
struct EscapingTests {
    @Test func labels() {
        #expect(DOTEscape.label("\"]; evil -> pwn [label=\"x") == "\"\\\"]; evil -> pwn [label=\\\"x\"")
        #expect(DOTEscape.label("<b>bold</b>") == "\"<b>bold</b>\"")
        #expect(DOTEscape.label("&amp;") == "\"&amp;amp;\"")
        #expect(DOTEscape.label("\\N \\l") == "\"\\\\N \\\\l\"")
        #expect(DOTEscape.label("two\nlines") == "\"two\\nlines\"")
        // A trailing backslash is doubled, so it never escapes the closing quote.
        #expect(DOTEscape.label("a\\") == "\"a\\\\\"")
        #expect(DOTEscape.id("a\"b") == "\"a\\\"b\"")
        #expect(DOTEscape.id("a\\") == "\"a\\\\\"")
        #expect(DOTEscape.id("a\\\" [shape=box] //") == "\"a\\\\\\\" [shape=box] //\"")
    }

    /// Every quoted string in the DOT closes where it should: outside quotes only
    /// bpgraph's own syntax appears, whatever the spec says.
    @Test func hostileSpecAddsNothing() throws {
        let hostile = "\\\"]; evil -> pwn [label=\\\"x <b>bold</b> &amp; \\\\N\\\\"
        let spec = """
            { "title": "\(hostile)", "nodes": [
                { "id": "\(hostile)", "value": 1, "name": "\(hostile)", "group": "\(hostile)" },
                { "id": "y", "op": "exp", "in": ["\(hostile)"], "label": "\(hostile)" } ],
              "output": "y" }
            """
        let dot = DOTWriter().write(try evaluateSpec(spec))
        // Strip quoted strings the way DOT's scanner reads them: `\"` and `\\` are
        // pairs inside quotes, so a backslash that is itself escaped ends nothing.
        var outside = ""
        var inQuotes = false
        var chars = Array(dot.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\\", chars.first == "\"" || chars.first == "\\" { chars.removeFirst() }
                else if c == "\"" { inQuotes = false }
            } else if c == "\"" { inQuotes = true } else { outside.unicodeScalars.append(c) }
        }
        #expect(!inQuotes)
        #expect(!outside.contains("evil"))
        #expect(!outside.contains("pwn"))
        #expect(!outside.contains("<"))
        #expect(!dot.contains("label=<"))
    }
}

@Suite("Themes")
struct ThemeTests {
    @Test func allowList() throws {
        let theme = try Theme.parse(##"{"base": "dark", "gradient": "#f0a", "font": ["Noto Sans"], "font_size": 18}"##, file: "t.json")
        #expect(theme.gradient == "#f0a")
        #expect(theme.background == Theme.dark.background)
        #expect(theme.fonts.first == "Noto Sans")
        #expect(theme.fonts.contains("NanumGothic"))
        #expect(theme.fontSize == 18)
        #expect(throws: SpecError.self) { try Theme.parse(#"{"image": "/etc/passwd"}"#, file: "t.json") }
        #expect(throws: SpecError.self) { try Theme.parse(#"{"fontpath": "/tmp"}"#, file: "t.json") }
        #expect(throws: SpecError.self) { try Theme.parse(#"{"gradient": "red\"; image=\"x"}"#, file: "t.json") }
        #expect(throws: SpecError.self) { try Theme.parse(#"{"font": "../../etc/x.ttf"}"#, file: "t.json") }
        #expect(throws: SpecError.self) { try Theme.parse(#"{"font_size": 1000}"#, file: "t.json") }
        do {
            _ = try Theme.parse(#"{"gradiant": "red"}"#, file: "t.json")
        } catch let error as SpecError {
            #expect(error.description.contains("t.json"))
            #expect(error.description.contains("did you mean \"gradient\""))
        }
    }

    @Test func themeReachesTheDOT() throws {
        var options = FigureOptions(theme: .dark)
        options.transparent = true
        let dot = DOTWriter(options: options).write(try evaluateSpec(#"{"nodes": [{"id": "x", "value": 1}, {"id": "y", "op": "exp", "in": ["x"]}], "output": "y"}"#))
        #expect(dot.contains("bgcolor=\"transparent\""))
        #expect(dot.contains("labelfontcolor=\"#ff6b6b\""))
    }
}

@Suite("DOT content")
struct DOTContentTests {
    @Test func conventions() throws {
        let spec = #"{"title": "T", "nodes": [{"id": "x", "value": 0.5}, {"id": "k", "value": 2, "const": true}, {"id": "a", "op": "mul", "in": ["x", "k"], "group": "G"}, {"id": "p", "op": "pow", "in": ["a"], "p": 2}], "output": "p", "seed": 3}"#
        let evaluated = try evaluateSpec(spec)
        let dot = DOTWriter().write(evaluated)
        #expect(dot.contains("rankdir=LR"))
        #expect(dot.contains("\"x\" -> \"a\" [id=\"e0\", label=\"0.5\", headlabel=\"12\", tooltip="))
        // A constant's edge shows no gradient.
        #expect(dot.contains("\"k\" -> \"a\" [id=\"e1\", label=\"2\", tooltip="))
        // pow's symbol is filled from its attribute; the trailing edge shows value and seed.
        #expect(dot.contains("\"p\" [label=\"^2\", tooltip="))
        #expect(dot.contains("\"p\" -> \"p/out\" [id=\"out\", label=\"1\", headlabel=\"3\", tooltip="))
        #expect(dot.contains("subgraph \"cluster_0\""))
        #expect(dot.contains("label=\"T\""))
        let forward = DOTWriter(options: FigureOptions(direction: .topToBottom, forwardOnly: true)).write(evaluated)
        #expect(!forward.contains("headlabel="))
        #expect(forward.contains("rankdir=TB"))
        let book = DOTWriter(options: FigureOptions(style: .backwardArrows)).write(evaluated)
        #expect(book.contains("\"x\" -> \"a\" [id=\"e0-grad\", label=\"12\", dir=back"))
        let symbols = DOTWriter(options: FigureOptions(labels: .symbols)).write(evaluated)
        #expect(symbols.contains("label=\"x\", headlabel=\"∂L/∂x\""))
        let both = DOTWriter(options: FigureOptions(labels: .both)).write(evaluated)
        #expect(both.contains("label=\"x = 0.5\", headlabel=\"∂L/∂x = 12\""))
    }

    /// The chain-rule labels of the notes' generic node: DG = UG × LG under each input
    /// edge, UG under the output's edge; a spec's "labels" is the default, --labels wins.
    @Test func chainLabelsAndTheSpecDefault() throws {
        let text = #"{ "labels": "chain", "nodes": [ { "id": "x", "value": 3 }, { "id": "y", "value": -2 }, { "id": "z", "op": "mul", "in": ["x", "y"], "label": "f" } ], "output": "z" }"#
        let evaluated = try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: "g.json")))
        let chain = DOTWriter().write(evaluated)
        #expect(chain.contains(#""x" -> "z" [id="e0", label="x", headlabel="∂L/∂z × ∂z/∂x", tooltip="#))
        #expect(chain.contains(#""y" -> "z" [id="e1", label="y", headlabel="∂L/∂z × ∂z/∂y", tooltip="#))
        #expect(chain.contains(#"[id="out", label="z", headlabel="∂L/∂z", tooltip="#))
        let values = DOTWriter(options: FigureOptions(labels: .values)).write(evaluated)
        #expect(values.contains(#""x" -> "z" [id="e0", label="3", headlabel="−2", tooltip="#))
        #expect(throws: SpecError.self) { try SpecDecoder.decode(#"{ "labels": "chains", "nodes": [ { "id": "x", "value": 1 } ], "output": "x" }"#, file: "l.json") }
    }
}

@Suite("Tooltips")
struct TooltipDOTTests {
    /// Every node and edge carries a tooltip with its numbers at full precision (as
    /// `eval --json` writes them) and, on an edge, the local gradient and its formula.
    @Test func fullPrecisionNumbersAndTheLocalGradient() throws {
        let evaluated = try evaluateSpec(#"{"nodes": [{"id": "x", "value": 0.5}, {"id": "a", "op": "mul", "in": ["x", -1]}, {"id": "b", "op": "exp", "in": ["a"]}], "output": "b"}"#)
        let dot = DOTWriter().write(evaluated)
        let structure = dot.split(separator: "\n").filter { $0.contains("tooltip=") }
        // 4 nodes (x, the constant, a, b) and 3 edges (x → a, −1 → a, a → b) and the trailing edge.
        #expect(structure.count == 8)
        let edge = try #require(structure.first { $0.contains("\"a\" -> \"b\"") })
        #expect(edge.contains("value: -0.5"))
        #expect(edge.contains("gradient: " + EvalJSON.number(evaluated.edgeGradients[2]!.scalar)))
        #expect(edge.contains("local gradient ∂b/∂a: exp(a) = " + EvalJSON.number(Foundation.exp(-0.5))))
        let node = try #require(structure.first { $0.hasPrefix("  \"b\" [") })
        #expect(node.contains("b: exp") && node.contains("value: " + EvalJSON.number(Foundation.exp(-0.5))) && node.contains("gradient: 1"))
    }

    /// A tooltip is escaped like a label: quotes cannot end it, and Graphviz's escapes
    /// (`\N`, `\G`) stay literal (a backslash is followed by an invisible word joiner).
    @Test func userTextStaysLiteral() throws {
        let evaluated = try evaluateSpec(#"{"nodes": [{"id": "q\"<b>\\N", "value": 1}, {"id": "y", "op": "exp", "in": ["q\"<b>\\N"]}], "output": "y"}"#)
        let dot = DOTWriter().write(evaluated)
        #expect(dot.contains(#"tooltip="q\"<b>\\\#u{2060}N: input"#))
        #expect(DOTEscape.tooltip("a\\Nb\"c") == "\"a\\\\\u{2060}Nb\\\"c\"")
    }
}
