import BPGraph
import BPGraphRender
import Foundation
import Testing

/// No user string can change what Graphviz reads: the DOT of a spec full of hostile
/// text, read back by cgraph, has exactly the nodes, edges, subgraphs and attribute
/// values of the same spec written with plain names, except for the texts themselves.
@Suite("DOT injection")
struct InjectionTests {
    /// Pieces that have broken DOT, HTML-like labels or Graphviz escapes before.
    static let pieces: [String] = [
        "\"", "\\", "\\\"", "\\\\", "\\\\\"", "<", ">", "<b>", "&", "&amp;", "&#60;", ";", "[", "]", "=", "{", "}",
        "->", "--", "//", "/*", "*/", "#", "\\N", "\\l", "\\G", "\\E", "\\n", " ", "a", "Z", "9",
        "\u{200B}", "\u{202E}", "\u{2028}", "\u{FEFF}", "é", "한", "🙂",
        "shape=box", "label=<X>", "image=\"x.png\"", "URL=\"javascript:alert(1)\"", "sides=100000000",
    ]
    /// Text fields may also hold line breaks and other control characters.
    static let controls: [String] = ["\n", "\r", "\r\n", "\t", "\u{1B}[2J", "\u{7F}", "\u{0}"]

    static func randomText(_ rng: inout SplitMix64, controls allowed: Bool) -> String {
        let count = Int(rng.next() % 8) + 1
        var s = ""
        for _ in 0..<count {
            if allowed, rng.next() % 6 == 0 { s += controls[Int(rng.next() % UInt64(controls.count))] }
            else { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
        }
        return s
    }

    /// The spec: an input, an anonymous constant, two ops, one group, a title.
    static func spec(ids: [String], texts: [String]) -> String {
        func j(_ s: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
            let array = String(decoding: data, as: UTF8.self)
            return String(array.dropFirst().dropLast())
        }
        return """
            { "title": \(j(texts[0])), "nodes": [
                { "id": \(j(ids[0])), "value": 1.5, "name": \(j(texts[1])), "group": \(j(texts[2])) },
                { "id": \(j(ids[1])), "op": "exp", "in": [\(j(ids[0]))], "label": \(j(texts[3])), "group": \(j(texts[2])) },
                { "id": \(j(ids[2])), "op": "mul", "in": [\(j(ids[1])), 2], "group": \(j(texts[4])) },
                { "id": \(j(ids[3])), "op": "add", "in": [\(j(ids[2])), \(j(ids[0]))], "name": \(j(texts[5])) } ],
              "output": \(j(ids[3])) }
            """
    }

    static let textAttributes: Set<String> = ["label", "headlabel", "tooltip"]

    /// The label text as cgraph stores it: the scanner turns `\"` into `"` and keeps
    /// every other backslash pair.
    static func scanned(_ quoted: String) -> String {
        String(quoted.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
    }

    @Test("random hostile strings in every field add no node, edge or attribute", arguments: [FigureOptions.Style.labels, .backwardArrows])
    func randomStrings(style: FigureOptions.Style) throws {
        var rng = SplitMix64(seed: style == .labels ? 7 : 8)
        var options = FigureOptions()
        options.style = style
        let plain = try Fixtures.evaluate(Self.spec(ids: ["i0", "i1", "i2", "i3"], texts: ["t0", "t1", "t2", "t3", "t4", "t5"]))
        let reference = try Renderer.shared.structure(of: DOTWriter(options: options).write(plain))
        for round in 0..<150 {
            let ids = (0..<4).map { Self.randomText(&rng, controls: false) + "#\($0)" }
            let texts = (0..<6).map { _ in Self.randomText(&rng, controls: true) }
            let evaluated = try Fixtures.evaluate(Self.spec(ids: ids, texts: texts))
            let dot = DOTWriter(options: options).write(evaluated)
            let got = try Renderer.shared.structure(of: dot)
            let context = "round \(round): ids \(ids.debugDescription), texts \(texts.debugDescription)"
            #expect(got.declared == reference.declared, "\(context): attributes \(got.declared.subtracting(reference.declared))")
            #expect(got.nodes.count == reference.nodes.count, "\(context)")
            #expect(got.edges.count == reference.edges.count, "\(context)")
            #expect(got.subgraphs.count == reference.subgraphs.count, "\(context)")
            guard got.nodes.count == reference.nodes.count, got.edges.count == reference.edges.count,
                  got.subgraphs.count == reference.subgraphs.count else { continue }
            // Each id is its own node, named by the id with its backslashes doubled.
            let names = ids.map { $0.replacingOccurrences(of: "\\", with: "\\\\") }
            #expect(Set(got.nodes.map(\.name)).count == got.nodes.count, "\(context): two ids share a node")
            func node(_ s: DOTStructure, _ name: String) -> [String: String]? { s.nodes.first { $0.name == name }?.attributes }
            // An op whose label is long or has several lines is drawn as a box.
            let boxed = texts[3].count > 7 || texts[3].contains("\n")
            let shapes: Set<String> = ["shape", "style"]
            func same(_ a: [String: String]?, _ b: [String: String]?, ignoring: Set<String> = []) -> Bool {
                let skip = Self.textAttributes.union(ignoring)
                guard let a, let b else { return false }
                return a.filter { !skip.contains($0.key) } == b.filter { !skip.contains($0.key) }
            }
            for (k, name) in names.enumerated() {
                #expect(same(node(got, name), node(reference, "i\(k)"), ignoring: k == 1 ? shapes : []), "\(context): node \(name)")
            }
            #expect(node(got, names[1])?["shape"] == (boxed ? "box" : "circle"), "\(context)")
            #expect(node(got, names[1])?["style"] == (boxed ? "rounded,filled" : "filled"), "\(context)")
            for (a, b) in zip(got.edges, reference.edges) { #expect(same(a.attributes, b.attributes), "\(context): edge \(a.tail) -> \(a.head)") }
            for (a, b) in zip(got.subgraphs, reference.subgraphs) { #expect(same(a.attributes, b.attributes), "\(context): group") }
            #expect(same(got.graph, reference.graph), "\(context): graph attributes")
            // The texts arrive whole: the title, the op's label, the group's label.
            #expect(got.graph["label"] == Self.scanned(DOTEscape.label(texts[0])), "\(context)")
            #expect(node(got, names[1])?["label"] == Self.scanned(DOTEscape.label(texts[3])), "\(context)")
            #expect(got.subgraphs.first?.attributes["label"] == Self.scanned(DOTEscape.label(texts[2])), "\(context)")
            // Tooltips too: the input's starts with its id, escaped as a tooltip.
            let tip = Self.scanned(DOTEscape.tooltip(ids[0] + ": input"))
            #expect(node(got, names[0])?["tooltip"]?.hasPrefix(String(tip)) == true, "\(context): tooltip \(node(got, names[0])?["tooltip"] ?? "none")")
        }
    }

    @Test("the issue's reproducer: an id that ends DOT's string injects nothing")
    func reproducer() throws {
        let id = "a\\\" [shape=box, label=<INJECTED>] //"
        let spec = #"{"nodes":[{"id":"x","value":1},{"id":"a\\\" [shape=box, label=<INJECTED>] //","op":"exp","in":["x"]}],"output":"a\\\" [shape=box, label=<INJECTED>] //"}"#
        let evaluated = try Fixtures.evaluate(spec)
        #expect(evaluated.graph.nodes[1].id == id)
        let structure = try Renderer.shared.structure(of: DOTWriter().write(evaluated))
        #expect(structure.nodes[1].name == id.replacingOccurrences(of: "\\", with: "\\\\"))
        #expect(structure.nodes[1].attributes["shape"] == "circle")
        #expect(structure.nodes[1].attributes["label"] == "exp")
        let svg = try Fixtures.svg(evaluated)
        #expect(!svg.contains("INJECTED>"))
        #expect(!svg.contains("<polygon fill=\"white\" stroke=\"#000000\" stroke-width=\"1.2\" points="), "a box node was drawn")
    }

    @Test("ids that differ only by a trailing backslash or a zero-width space stay two nodes")
    func distinctNames() throws {
        let spec = #"{"nodes":[{"id":"a\\","value":1},{"id":"a\\\u200b","value":2},{"id":"y","op":"add","in":["a\\","a\\\u200b"]}],"output":"y"}"#
        let evaluated = try Fixtures.evaluate(spec)
        let structure = try Renderer.shared.structure(of: DOTWriter().write(evaluated))
        #expect(structure.nodes.count == 4)
        #expect(Set(structure.nodes.map(\.name)).count == 4)
    }
}

