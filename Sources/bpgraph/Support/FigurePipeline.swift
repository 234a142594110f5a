import BPGraph
import BPGraphRender
import Foundation

/// The end of the chain that `render`, Markdown posts and `watch` share: a checked graph →
/// DOT text and its typed labels → image bytes. `name` names the spec in messages
/// (`sigmoid.json`, `post.md:23`).
enum FigurePipeline {
    /// How a figure is drawn: once, or step by step (`--steps`: one image per step;
    /// `--animate`: one animated SVG or APNG playing them, `frameMs` per step).
    enum Mode: Equatable, Sendable {
        case still
        case animated(frameMs: Int)
    }

    /// The default time per step of an animation.
    static let defaultFrameMs = 900

    /// The evaluated graph; refuses graphs above `maxNodes`.
    static func evaluate(_ graph: Graph, name: String, maxNodes: Int) throws -> EvaluatedGraph {
        guard graph.nodes.count <= maxNodes else {
            throw Failure("\(name): \(graph.nodes.count) nodes is more than --max-nodes \(maxNodes); a figure that large is unreadable and slow to lay out (eval and check work on any size)")
        }
        do { return try EvaluatedGraph(graph) } catch { throw Failure(error) }
    }

    /// The figure's DOT text and typed labels; refuses graphs above `maxNodes`.
    static func figure(_ graph: Graph, name: String, options: FigureOptions, maxNodes: Int) throws -> Figure {
        DOTWriter(options: options).figure(try evaluate(graph, name: name, maxNodes: maxNodes))
    }

    /// The figure's DOT text; refuses graphs above `maxNodes`.
    static func dot(_ graph: Graph, name: String, options: FigureOptions, maxNodes: Int) throws -> String {
        try figure(graph, name: name, options: options, maxNodes: maxNodes).dot
    }

    /// A figure → image bytes through Graphviz.
    static func image(_ figure: Figure, name: String, format: OutputFormat, dpi: Double) throws -> [UInt8] {
        do { return try Renderer.shared.render(figure: figure, format: format, dpi: dpi) }
        catch { throw Failure("\(name): \(error)") }
    }

    /// A checked graph → image bytes. With a dark theme (`--theme auto`), one SVG whose
    /// colours follow the reader's light or dark preference.
    static func image(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                      dpi: Double, maxNodes: Int, mode: Mode = .still) throws -> [UInt8] {
        if case .animated(let frameMs) = mode {
            return try animation(graph, name: name, options: options, format: format, dpi: dpi, maxNodes: maxNodes, frameMs: frameMs)
        }
        let figure = try figure(graph, name: name, options: options, maxNodes: maxNodes)
        guard let dark = options.dark else { return try image(figure, name: name, format: format, dpi: dpi) }
        guard format == .svg else {
            throw Failure("\(name): --theme auto makes one SVG for light and dark pages; for \(format.rawValue), render with --theme light and --theme dark (a Markdown post gets both)")
        }
        return try autoSVG(light: figure, dark: try self.figure(graph, name: name, options: dark, maxNodes: maxNodes), name: name)
    }

    /// The light and the dark drawing of one figure merged into one SVG (`AutoTheme`).
    static func autoSVG(light: Figure, dark: Figure, name: String) throws -> [UInt8] {
        let lightSVG = try image(light, name: name, format: .svg, dpi: 144)
        let darkSVG = try image(dark, name: name, format: .svg, dpi: 144)
        do { return try AutoTheme.merge(light: lightSVG, dark: darkSVG) }
        catch { throw Failure("\(name): --theme auto: \(error)") }
    }

    // MARK: Step by step

    /// One image per step (`StepPlan`), all drawn from one layout, in step order. With a
    /// dark theme, each frame is one SVG for light and dark pages.
    static func frames(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                       dpi: Double, maxNodes: Int) throws -> [[UInt8]] {
        guard format == .png || format == .svg else {
            throw Failure("\(name): step frames are png or svg, not \(format.rawValue)")
        }
        let light = try drawings(graph, name: name, options: options, format: format, dpi: dpi, maxNodes: maxNodes)
        do {
            guard let darkOptions = options.dark else { return try light.map { try $0.encoded() } }
            guard format == .svg else { throw Failure("\(name): --theme auto makes SVG frames, not \(format.rawValue)") }
            let dark = try drawings(graph, name: name, options: darkOptions, format: format, dpi: dpi, maxNodes: maxNodes)
            return try zip(light, dark).map { try AutoTheme.merge(light: try $0.encoded(), dark: try $1.encoded()) }
        } catch let failure as Failure { throw failure } catch { throw Failure("\(name): \(error)") }
    }

    /// The step frames of one theme, not yet encoded.
    static func drawings(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                         dpi: Double, maxNodes: Int) throws -> [Drawing] {
        let evaluated = try evaluate(graph, name: name, maxNodes: maxNodes)
        let figure = DOTWriter(options: options).figure(evaluated)
        let plan = StepPlan(evaluated, options: options)
        do {
            return try Renderer.shared.drawSteps(figure: figure, steps: plan.steps, style: StepStyle(theme: options.theme),
                                                 format: format, dpi: dpi)
        } catch { throw Failure("\(name): \(error)") }
    }

    /// The steps as one animated SVG (CSS keyframes, no script) or APNG, `frameMs` per
    /// step and three times that on the last.
    static func animation(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                          dpi: Double, maxNodes: Int, frameMs: Int) throws -> [UInt8] {
        guard format == .png || format == .svg else {
            throw Failure("\(name): --animate makes an animated .svg or .png (APNG), not \(format.rawValue)")
        }
        do {
            let light = try drawings(graph, name: name, options: options, format: format, dpi: dpi, maxNodes: maxNodes)
            if format == .png {
                if options.dark != nil { throw Failure("\(name): --theme auto animates SVG only; for an APNG use --theme light or dark") }
                return try APNGEncoder.encode(frames: light, delaysMs: try APNGEncoder.delays(count: light.count, frameMs: frameMs))
            }
            let lightSVG = try light.map { try $0.encoded() }
            guard let darkOptions = options.dark else { return try AnimatedSVG.combine(frames: lightSVG, frameMs: frameMs) }
            let dark = try drawings(graph, name: name, options: darkOptions, format: format, dpi: dpi, maxNodes: maxNodes)
            return try AnimatedSVG.combineThemes(light: lightSVG, dark: try dark.map { try $0.encoded() }, frameMs: frameMs)
        } catch let failure as Failure { throw failure } catch { throw Failure("\(name): \(error)") }
    }
}
