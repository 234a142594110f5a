import BPGraph
import BPGraphRender
import Foundation
import Testing

/// A seeded, structure-aware fuzzer: random graphs of every op with well- and ill-formed
/// shapes, attributes, references and hostile text in every field, written as JSON, YAML
/// or an expression, then mutated byte by byte. Each case must end in a figure whose DOT
/// cgraph reads back as exactly the graph, or in problems of one line each (plus an
/// expression's excerpt) naming the file with nothing unescaped. `scripts/fuzz` runs the
/// same kind of campaign, longer, against the built binary (files, exit codes, signals).
enum Fuzz {
    static let hostile = InjectionTests.pieces + InjectionTests.controls + ["-->", "--!>", "\u{1B}[2J", "\u{85}", "\u{2029}"]

    static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T { items[Int(rng.next() % UInt64(items.count))] }
    static func chance(_ oneIn: UInt64, _ rng: inout SplitMix64) -> Bool { rng.next() % oneIn == 0 }

    static func text(_ rng: inout SplitMix64) -> String {
        (0..<Int(rng.next() % 4 + 1)).map { _ in pick(hostile, &rng) }.joined()
    }

    /// An id: hostile, though mostly without the control characters ids may not hold.
    static func id(_ rng: inout SplitMix64) -> String {
        (0..<Int(rng.next() % 4 + 1)).map { _ in pick(chance(20, &rng) ? hostile : InjectionTests.pieces, &rng) }.joined()
    }

    static func json(_ s: String) -> String { EvalJSON.string(s) }

    static func number(_ rng: inout SplitMix64) -> String {
        pick(["0", "1", "-1", "0.5", "2.5", "-3", "1e3", "1e-3", "1e308", "7", "0.1"], &rng)
    }

    static func value(_ rng: inout SplitMix64) -> String {
        switch rng.next() % 80 {
        case 4: return "[[1, 2], [3]]"  // ragged
        case 5: return pick(["[]", "\"x\"", "null", "[[[[[[[[[1]]]]]]]]]", "true"], &rng)
        case 2, 6, 8, 9, 10, 11: return "[" + (0..<Int(rng.next() % 3 + 1)).map { _ in number(&rng) }.joined(separator: ", ") + "]"
        case 3, 7, 12, 13:
            let columns = Int(rng.next() % 3 + 1)
            return "[" + (0..<Int(rng.next() % 3 + 1)).map { _ in "[" + (0..<columns).map { _ in number(&rng) }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        default: return number(&rng)
        }
    }

    /// A node-list spec, JSON.
    static func nodeSpec(_ rng: inout SplitMix64) -> String {
        let count = Int(rng.next() % 7 + 2)
        var ids: [String] = []
        var nodes: [String] = []
        for k in 0..<count {
            let id = chance(3, &rng) ? Self.id(&rng) + "#\(k)" : "n\(k)"
            var fields = ["\"id\": \(json(chance(25, &rng) && !ids.isEmpty ? ids[0] : id))"]
            if k < 2 || ids.isEmpty || chance(4, &rng) {
                fields.append("\"value\": \(value(&rng))")
                if chance(6, &rng) { fields.append("\"const\": true") }
            } else {
                let chosen = pick(Op.all, &rng)
                let op = chance(15, &rng) ? text(&rng) : chosen.name
                var arity = Int(rng.next() % 3 + 1)
                if !chance(5, &rng), case .exactly(let k) = chosen.arity { arity = k }
                let inputs = (0..<arity).map { _ in chance(5, &rng) ? number(&rng) : json(chance(20, &rng) ? text(&rng) : pick(ids, &rng)) }
                fields += ["\"op\": \(json(op))", "\"in\": [\(inputs.joined(separator: ", "))]"]
                if chance(3, &rng) { fields.append("\"\(pick(["times", "axis", "p"], &rng))\": \(pick(["2", "0", "1", "-1", "0.5", "3"], &rng))") }
            }
            for key in ["label", "name", "group"] where chance(3, &rng) { fields.append("\"\(key)\": \(json(text(&rng)))") }
            ids.append(id)
            nodes.append("{ " + fields.joined(separator: ", ") + " }")
        }
        var top = ["\"nodes\": [\n  " + nodes.joined(separator: ",\n  ") + "\n]", "\"output\": \(json(chance(10, &rng) ? text(&rng) : ids.last!))"]
        if chance(3, &rng) { top.append("\"title\": \(json(text(&rng)))") }
        if chance(8, &rng) { top.append("\"seed\": \(value(&rng))") }
        return "{ " + top.joined(separator: ",\n") + " }"
    }

    /// An expression spec, JSON.
    static func expressionSpec(_ rng: inout SplitMix64) -> String {
        let variables = ["x", "y", "W", "b", "한"]
        func term(_ depth: Int) -> String {
            if depth > 3 || chance(3, &rng) { return chance(4, &rng) ? number(&rng) : pick(variables, &rng) }
            switch rng.next() % 6 {
            case 0: return "(" + term(depth + 1) + " " + pick(["+", "-", "*", "/", "@"], &rng) + " " + term(depth + 1) + ")"
            case 1: return "-" + term(depth + 1)
            case 2: return pick(["exp", "log", "sigmoid", "tanh", "relu", "sum", "softmax"], &rng) + "(" + term(depth + 1) + ")"
            case 3: return term(depth + 1) + "^" + pick(["2", "0.5", "x", "-1"], &rng)
            case 4: return pick(["repeat(x, 2)", "sum(W, axis=0)", "max(x, y)", "(", ")", "x +", "\u{1B}"], &rng)
            default: return term(depth + 1) + " + " + term(depth + 1)
            }
        }
        let expression = "L = " + term(0)
        // Mostly a value for each variable used (and no other), scalars mostly.
        let values = variables.filter { expression.contains($0) ? !chance(12, &rng) : chance(12, &rng) }
            .map { "\(json($0)): \(chance(3, &rng) ? value(&rng) : number(&rng))" }
        return "{ \"expr\": \(json(expression)), \"values\": { \(values.joined(separator: ", ")) } }"
    }

    /// JSON as YAML flow style (a superset), sometimes with an anchor on one value and
    /// an alias of it on another.
    static func yaml(_ json: String, _ rng: inout SplitMix64) -> String {
        let parts = json.components(separatedBy: "\"value\": ")
        guard parts.count > 2, chance(2, &rng) else { return json }
        return parts[0] + "\"value\": &v " + parts[1] + "\"value\": *v " + parts[2].drop { $0 != "," && $0 != "}" } + parts.dropFirst(3).map { "\"value\": " + $0 }.joined()
    }

    /// Byte-level damage: delete, duplicate or insert at random places, or truncate.
    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<Int(rng.next() % 3 + 1) where !bytes.isEmpty {
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 4 {
            case 0: bytes.removeSubrange(at..<min(bytes.count, at + Int(rng.next() % 8 + 1)))
            case 1: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int(rng.next() % 16 + 1))], at: at)
            case 2: bytes.insert(contentsOf: Array(pick(hostile + ["{", "}", "[", "]", ",", ":", "\"", "*v", "&a", "---"], &rng).utf8), at: at)
            default: bytes = Array(bytes[..<at])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One case: (file name, text).
    static func spec(_ rng: inout SplitMix64) -> (String, String) {
        var text = chance(3, &rng) ? expressionSpec(&rng) : nodeSpec(&rng)
        let yaml = chance(4, &rng)
        if yaml { text = Self.yaml(text, &rng) }
        if chance(4, &rng) { text = mutate(text, &rng) }
        return (yaml ? "fuzz.yaml" : "fuzz.json", text)
    }
}

@Suite("fuzzing")
struct FuzzTests {
    @Test("3,000 seeded structure-aware cases: one escaped line per problem naming the file, or DOT that reads back as the graph")
    func seeded() throws {
        var rng = SplitMix64(seed: 12_012)
        var figures = 0, refused = 0
        var reasons: [String: Int] = [:]
        for round in 0..<3000 {
            let (file, text) = Fuzz.spec(&rng)
            let context = "round \(round): \(text.debugDescription)"
            let evaluated: EvaluatedGraph
            do {
                evaluated = try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: file)))
            } catch let error as SpecError {
                refused += 1
                for d in error.diagnostics { reasons[String(d.message.prefix(25)), default: 0] += 1 }
                #expect(!error.diagnostics.isEmpty, "\(context)")
                for diagnostic in error.diagnostics {
                    let lines = diagnostic.lines
                    #expect(lines.count == (diagnostic.excerpt == nil ? 1 : 3), "\(context)")
                    #expect(lines[0].hasPrefix(file + ":"), "\(context): \(lines[0])")
                    for line in lines {
                        #expect(!line.contains("\n") && !line.unicodeScalars.contains(where: MessageText.needsEscape), "\(context): \(line.debugDescription)")
                    }
                }
                continue
            } catch {
                Issue.record("\(context): not a SpecError: \(error)")
                continue
            }
            figures += 1
            var options = FigureOptions()
            options.style = Fuzz.chance(2, &rng) ? .labels : .backwardArrows
            options.forwardOnly = Fuzz.chance(4, &rng)
            options.direction = Fuzz.chance(2, &rng) ? .leftToRight : .topToBottom
            let dot = DOTWriter(options: options).write(evaluated)
            let structure = try Renderer.shared.structure(of: dot)
            let graph = evaluated.graph
            func name(_ id: String) -> String { id.replacingOccurrences(of: "\\", with: "\\\\") }
            // Every node its own DOT node, plus the output's invisible sink.
            let names = Set(graph.nodes.map { name($0.id) })
            #expect(structure.nodes.count == graph.nodes.count + 1, "\(context)")
            #expect(names.isSubset(of: Set(structure.nodes.map(\.name))), "\(context)")
            // Every edge, and the output's trailing edge; drawn twice with backward arrows.
            let copies = options.style == .backwardArrows && !options.forwardOnly ? 2 : 1
            var expected: [String: Int] = [:]
            for (e, edge) in graph.edges.enumerated() {
                // A constant's edge carries no gradient: no backward arrow.
                expected[name(graph.nodes[edge.from].id) + " -> " + name(graph.nodes[edge.to].id), default: 0] += evaluated.edgeGradients[e] == nil ? 1 : copies
            }
            let sink = structure.nodes.first { !names.contains($0.name) }?.name ?? "?"
            expected[name(graph.outputNode.id) + " -> " + sink, default: 0] += copies
            var got: [String: Int] = [:]
            for edge in structure.edges { got[edge.tail + " -> " + edge.head, default: 0] += 1 }
            #expect(got == expected, "\(context)")
            #expect(structure.declared.isSubset(of: Self.attributes), "\(context): \(structure.declared.subtracting(Self.attributes))")
            // eval --json is valid JSON whatever the ids hold.
            #expect((try? JSONSerialization.jsonObject(with: Data(EvalJSON.encode(evaluated).utf8))) != nil, "\(context)")
        }
        // The campaign exercises both outcomes.
        #expect(figures > 300 && refused > 1000, "\(figures) figures, \(refused) refused: \(reasons.sorted { $0.value > $1.value }.prefix(8))")
    }

    /// Every attribute bpgraph's DOT writer sets, in any style.
    static let attributes: Set<String> = {
        var all = Set<String>()
        for style in [FigureOptions.Style.labels, .backwardArrows] {
            for forwardOnly in [false, true] {
                var options = FigureOptions()
                options.style = style
                options.forwardOnly = forwardOnly
                for url in Fixtures.templateFiles {
                    if let evaluated = try? Fixtures.evaluate(url), let s = try? Renderer.shared.structure(of: DOTWriter(options: options).write(evaluated)) {
                        all.formUnion(s.declared)
                    }
                }
            }
        }
        return all
    }()
}
