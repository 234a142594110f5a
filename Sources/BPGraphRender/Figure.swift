import BPGraph
import Foundation

/// Everything besides the spec that decides a figure's bytes: the look, the format, the
/// resolution of a PNG, and the largest graph drawn.
public struct FigureSettings: Sendable, Equatable {
    public var options: FigureOptions
    public var format: OutputFormat
    /// Resolution of PNG output, in dots per inch.
    public var dpi: Double
    /// Graphs with more nodes are refused: a figure that large is unreadable and slow to lay out.
    public var maxNodes: Int

    public static let defaultMaxNodes = 2000

    public init(options: FigureOptions = FigureOptions(), format: OutputFormat = .svg, dpi: Double = 144,
                maxNodes: Int = FigureSettings.defaultMaxNodes) {
        self.options = options
        self.format = format
        self.dpi = dpi
        self.maxNodes = maxNodes
    }
}

/// One figure, the whole chain in one place: spec text or a `GraphSpec` → `Graph` →
/// `EvaluatedGraph` → DOT text (made at once, with every limit checked) → the drawing and
/// its bytes (`bytes()`, through Graphviz). `render`, batches, `watch`, Markdown posts, the
/// benchmark and the tests all make their figures here.
///
/// Every problem is thrown as a `SpecError` whose diagnostics name the figure (`name`:
/// `sigmoid.json`, `post.md:23`), the one-line text the command line prints.
public struct Figure: Sendable {
    /// What messages call the figure's spec.
    public let name: String
    public let settings: FigureSettings
    /// The evaluated graph (what step-by-step frames walk through).
    public let evaluated: EvaluatedGraph
    /// The figure's DOT text and typed labels (with `--theme auto`, the light one).
    public let plan: FigurePlan
    /// With `--theme auto`: the dark drawing's.
    public let darkPlan: FigurePlan?
    /// The figure's DOT text (with `--theme auto`, the light one).
    public var dot: String { plan.dot }
    /// With `--theme auto`: the dark drawing's DOT.
    public var darkDOT: String? { darkPlan?.dot }

    /// Spec text (JSON or YAML: `format`, else `file`'s extension, else sniffed) to a figure.
    public init(text: String, file: String, format: SpecFormat? = nil, settings: FigureSettings) throws {
        try self.init(spec: SpecDecoder.decode(text, file: file, format: format), name: file, settings: settings)
    }

    /// A decoded spec to a figure; `name` defaults to the spec's file.
    public init(spec: GraphSpec, name: String? = nil, settings: FigureSettings) throws {
        try self.init(graph: Graph(spec), name: name ?? spec.file, settings: settings)
    }

    /// A checked graph to a figure: refuses graphs above `settings.maxNodes`, evaluates it
    /// and writes its DOT (both themes' for `--theme auto`).
    public init(graph: Graph, name: String, settings: FigureSettings) throws {
        guard graph.nodes.count <= settings.maxNodes else {
            throw SpecError(Diagnostic(.limit, file: name, message: "\(graph.nodes.count) nodes is more than --max-nodes \(settings.maxNodes); a figure that large is unreadable and slow to lay out (eval and check work on any size)"))
        }
        let evaluated = try EvaluatedGraph(graph)
        self.name = name
        self.settings = settings
        self.evaluated = evaluated
        plan = DOTWriter(options: settings.options).plan(evaluated)
        darkPlan = settings.options.dark.map { DOTWriter(options: $0).plan(evaluated) }
    }

    private init(name: String, settings: FigureSettings, evaluated: EvaluatedGraph, plan: FigurePlan, darkPlan: FigurePlan?) {
        self.name = name
        self.settings = settings
        self.evaluated = evaluated
        self.plan = plan
        self.darkPlan = darkPlan
    }

    /// The figure's bytes. With a dark theme (`--theme auto`), one SVG whose colours follow
    /// the reader's light or dark preference (`AutoTheme`); other formats are refused then
    /// (`themes` draws the light and the dark figure apart).
    public func bytes() throws -> [UInt8] {
        guard let darkPlan else { return try Self.encode(drawing(), name: name) }
        guard settings.format == .svg else {
            throw SpecError(Diagnostic(.render, file: name, message: "--theme auto makes one SVG for light and dark pages; for \(settings.format.rawValue), render with --theme light and --theme dark (a Markdown post gets both)"))
        }
        let light = try Self.encode(Self.draw(plan, name: name, format: .svg, dpi: 144), name: name)
        let dark = try Self.encode(Self.draw(darkPlan, name: name, format: .svg, dpi: 144), name: name)
        do { return try AutoTheme.merge(light: light, dark: dark) }
        catch { throw SpecError(Diagnostic(.render, file: name, message: "--theme auto: \(error)")) }
    }

    /// The Graphviz half: layout and drawing, one figure at a time under the Graphviz lock;
    /// a PNG comes back as pixels, encoded by `Drawing.encoded()` on any thread. One theme
    /// only (`themes` splits a `--theme auto` figure).
    public func drawing() throws -> Drawing {
        try Self.draw(plan, name: name, format: settings.format, dpi: settings.dpi)
    }

    /// The figure once per theme: itself, or with `--theme auto` its light and its dark
    /// figure (a Markdown post links a light and a dark PNG).
    public var themes: [Figure] {
        guard let darkPlan else { return [self] }
        var light = settings, dark = settings
        light.options.darkTheme = nil
        dark.options = settings.options.dark!
        return [Figure(name: name, settings: light, evaluated: evaluated, plan: plan, darkPlan: nil),
                Figure(name: name, settings: dark, evaluated: evaluated, plan: darkPlan, darkPlan: nil)]
    }

    static func draw(_ plan: FigurePlan, name: String, format: OutputFormat, dpi: Double) throws -> Drawing {
        // DOT is the plan's own text: no need to start Graphviz for it.
        if format == .dot { return Drawing(bytes: Array(plan.dot.utf8)) }
        do { return try Renderer.shared.draw(plan: plan, format: format, dpi: dpi) }
        catch let error as RenderError { throw SpecError(Diagnostic(.render, file: name, message: error.message)) }
    }

    /// A drawing's bytes (a PNG encoded here, on the caller's thread).
    public static func encode(_ drawing: Drawing, name: String) throws -> [UInt8] {
        do { return try drawing.encoded() }
        catch let error as RenderError { throw SpecError(Diagnostic(.render, file: name, message: error.message)) }
    }
}
