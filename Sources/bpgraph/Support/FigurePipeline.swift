import BPGraph
import BPGraphRender
import Foundation

/// The end of the chain that `render`, Markdown posts and `watch` share: a checked graph →
/// DOT text → image bytes. `name` names the spec in messages (`sigmoid.json`, `post.md:23`).
enum FigurePipeline {
    /// The figure's DOT text; refuses graphs above `maxNodes`.
    static func dot(_ graph: Graph, name: String, options: FigureOptions, maxNodes: Int) throws -> String {
        guard graph.nodes.count <= maxNodes else {
            throw Failure("\(name): \(graph.nodes.count) nodes is more than --max-nodes \(maxNodes); a figure that large is unreadable and slow to lay out (eval and check work on any size)")
        }
        let evaluated: EvaluatedGraph
        do { evaluated = try EvaluatedGraph(graph) } catch { throw Failure(error) }
        return DOTWriter(options: options).write(evaluated)
    }

    /// DOT text → image bytes through Graphviz.
    static func image(dot: String, name: String, format: OutputFormat, dpi: Double) throws -> [UInt8] {
        do { return try Renderer.shared.render(dot: dot, format: format, dpi: dpi) }
        catch { throw Failure("\(name): \(error)") }
    }

    /// A checked graph → image bytes. With a dark theme (`--theme auto`), one SVG whose
    /// colours follow the reader's light or dark preference.
    static func image(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                      dpi: Double, maxNodes: Int) throws -> [UInt8] {
        let dot = try dot(graph, name: name, options: options, maxNodes: maxNodes)
        guard let dark = options.dark else { return try image(dot: dot, name: name, format: format, dpi: dpi) }
        guard format == .svg else {
            throw Failure("\(name): --theme auto makes one SVG for light and dark pages; for \(format.rawValue), render with --theme light and --theme dark (a Markdown post gets both)")
        }
        return try autoSVG(light: dot, dark: try self.dot(graph, name: name, options: dark, maxNodes: maxNodes), name: name)
    }

    /// The light and the dark drawing of one figure merged into one SVG (`AutoTheme`).
    static func autoSVG(light: String, dark: String, name: String) throws -> [UInt8] {
        let lightSVG = try image(dot: light, name: name, format: .svg, dpi: 144)
        let darkSVG = try image(dot: dark, name: name, format: .svg, dpi: 144)
        do { return try AutoTheme.merge(light: lightSVG, dark: darkSVG) }
        catch { throw Failure("\(name): --theme auto: \(error)") }
    }
}
