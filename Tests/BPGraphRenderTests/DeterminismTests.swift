import BPGraph
import BPGraphRender
import Foundation
import Testing

/// The same DOT gives the same figure whatever was rendered before it in the process,
/// so a batch writes what single renders write.
@Suite("Determinism across a batch", .serialized)
struct DeterminismTests {
    /// Twelve clusters whose names do not sort in the order the DOT names them.
    static let clusters: (dot: String, names: [String]) = {
        var names: [String] = []
        var dot = "digraph g {\n"
        for c in 0..<12 {
            let name = "cluster_\(Character(UnicodeScalar(UInt8(97 + (c * 7) % 12))))\(c)"
            names.append(name)
            dot += "  subgraph \"\(name)\" { label=\"c\(c)\"; n\(c); m\(c) }\n"
        }
        return (dot + "}\n", names)
    }()

    /// Reads graphs with many names of varied lengths (and lays out a small one), so
    /// that freed name strings are reused in a scrambled order (cgraph's own IDs were
    /// their addresses). Reading is what allocates and frees the names; a layout of
    /// hundreds of edges would only add time.
    func churn(_ round: Int) throws {
        var dot = "digraph j {\n"
        for k in 0..<(200 + round * 37) { dot += "  \"name\(String(repeating: "x", count: 1 + (k * round) % 20))\(k)\" -> \"y\(k % 13)\";\n" }
        _ = try Renderer.shared.structure(of: dot + "}\n")
        var small = "digraph s {\n"
        for k in 0..<(5 + round % 7) { small += "  \"s\(String(repeating: "z", count: 1 + (k * (round + 3)) % 17))\(k)\" -> \"t\(k % 3)\";\n" }
        _ = try Renderer.shared.render(dot: small + "}\n", format: .svg, placeLabels: false)
    }

    @Test("clusters are laid out and drawn in the order the DOT names them, after any history")
    func clusterOrder() throws {
        var first: [UInt8]?
        for round in 0..<12 {
            try churn(round)
            let bytes = try Renderer.shared.render(dot: Self.clusters.dot, format: .svg, placeLabels: false)
            let svg = String(decoding: bytes, as: UTF8.self)
            let titles = svg.components(separatedBy: "class=\"cluster\">\n<title>").dropFirst()
                .map { String($0.prefix { $0 != "<" }) }
            #expect(titles == Self.clusters.names, "round \(round)")
            if let first { #expect(bytes == first, "round \(round)") } else { first = bytes }
        }
    }

    @Test("every template renders to the same bytes whatever was rendered before it")
    func templatesAfterHistory() throws {
        var reference: [String: [UInt8]] = [:]
        for round in 0..<4 {
            let files = round % 2 == 1 ? Fixtures.templateFiles.reversed() : Fixtures.templateFiles
            let style: FigureOptions.Style = round < 2 ? .labels : .backwardArrows
            for file in files {
                try churn(round + 5)
                let bytes = try Fixtures.svg(try Fixtures.evaluate(file), FigureOptions(style: style))
                let key = file.lastPathComponent + " \(style)"
                if let old = reference[key] { #expect(Array(bytes.utf8) == old, "\(key)") } else { reference[key] = Array(bytes.utf8) }
            }
        }
    }

    /// bpgraph's own layout runs without the Graphviz lock (`FigureLock`), so other figures
    /// are read, laid out and drawn between a figure's dot layout and its drawing: figures
    /// whose graphs declare other attributes (groups, backward arrows, top to bottom, PNG's
    /// dpi), which set Graphviz's globals for theirs.
    @Test("every template renders to the same bytes while others render on other threads")
    func templatesOnManyThreads() throws {
        let styles = [FigureOptions(), FigureOptions(style: .backwardArrows), FigureOptions(direction: .topToBottom)]
        var figures: [Figure] = []
        for file in Fixtures.templateFiles {
            let graph = try Fixtures.evaluate(file).graph
            for (k, options) in styles.enumerated() {
                let settings = FigureSettings(options: options, format: k == 1 ? .png : .svg)
                figures.append(try Figure(graph: graph, name: file.lastPathComponent, settings: settings))
            }
        }
        let alone = try figures.map { try $0.bytes() }
        let lock = NSLock()
        var together = [[UInt8]?](repeating: nil, count: figures.count), failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for k in stride(from: worker, to: figures.count, by: 4) {
                do {
                    let bytes = try figures[k].bytes()
                    lock.lock(); together[k] = bytes; lock.unlock()
                } catch {
                    lock.lock(); failures.append("\(figures[k].name): \(error)"); lock.unlock()
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        for k in figures.indices {
            #expect(together[k] == alone[k], "\(figures[k].name) \(figures[k].settings.options.style) \(figures[k].settings.format)")
        }
    }
}
