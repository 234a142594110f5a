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

    /// The most pixel memory (bytes) an APNG may hold while it is made (every frame at once).
    static let maximumAnimationBytes = 2e9

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
        // Each frame is encoded as it is drawn: only one frame's pixels are held at a time.
        let light = try encodedFrames(graph, name: name, options: options, format: format, dpi: dpi, maxNodes: maxNodes)
        do {
            guard let darkOptions = options.dark else { return light }
            guard format == .svg else { throw Failure("\(name): --theme auto makes SVG frames, not \(format.rawValue)") }
            let dark = try encodedFrames(graph, name: name, options: darkOptions, format: format, dpi: dpi, maxNodes: maxNodes)
            return try zip(light, dark).map { try AutoTheme.merge(light: $0, dark: $1) }
        } catch let failure as Failure { throw failure } catch { throw Failure("\(name): \(error)") }
    }

    /// The most frames a figure is drawn in: one per node and edge, so a figure of more
    /// than about 500 nodes (unreadable as a figure anyway) is refused.
    static let maximumFrames = 1_500

    /// What `drawSteps` gets: the figure, its steps (checked against `maximumFrames`).
    static func stepPlan(_ graph: Graph, name: String, options: FigureOptions, maxNodes: Int) throws -> (Figure, [StepPlan.Step]) {
        let evaluated = try evaluate(graph, name: name, maxNodes: maxNodes)
        let plan = StepPlan(evaluated, options: options)
        guard plan.steps.count <= maximumFrames else {
            throw Failure("\(name): \(plan.steps.count) steps (one per node and edge) is more than \(maximumFrames) frames; step through a smaller graph")
        }
        return (DOTWriter(options: options).figure(evaluated), plan.steps)
    }

    /// The step frames of one theme, each encoded as soon as it is drawn.
    static func encodedFrames(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                              dpi: Double, maxNodes: Int) throws -> [[UInt8]] {
        let (figure, steps) = try stepPlan(graph, name: name, options: options, maxNodes: maxNodes)
        var frames: [[UInt8]] = []
        do {
            try Renderer.shared.drawSteps(figure: figure, steps: steps, style: StepStyle(theme: options.theme), format: format, dpi: dpi) {
                frames.append(try $1.encoded())
            }
        } catch { throw Failure("\(name): \(error)") }
        return frames
    }

    /// The step frames of one theme, not yet encoded.
    static func drawings(_ graph: Graph, name: String, options: FigureOptions, format: OutputFormat,
                         dpi: Double, maxNodes: Int) throws -> [Drawing] {
        let (figure, steps) = try stepPlan(graph, name: name, options: options, maxNodes: maxNodes)
        do {
            return try Renderer.shared.drawSteps(figure: figure, steps: steps, style: StepStyle(theme: options.theme),
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
            if format == .png {
                // The APNG encoder takes every frame's pixels at once: refuse what would not fit.
                let (figure, steps) = try stepPlan(graph, name: name, options: options, maxNodes: maxNodes)
                let one = try Renderer.shared.draw(figure: figure, format: .png, dpi: dpi).pixelSize ?? (0, 0)
                let bytes = Double(steps.count) * Double(one.width) * Double(one.height + 40 * Int(dpi / 72)) * 4
                if bytes > maximumAnimationBytes {
                    throw Failure("\(name): an APNG of \(steps.count) frames of about \(one.width)×\(one.height) pixels would hold \(Int((bytes / 1e9).rounded(.up))) GB of pixels while it is made; use a lower --dpi or an animated .svg")
                }
            }
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
