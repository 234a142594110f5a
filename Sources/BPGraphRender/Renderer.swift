import BPGraph
import CGraphviz
import Foundation

/// Image formats bpgraph writes.
public enum OutputFormat: String, Sendable, CaseIterable {
    case png, svg, pdf, dot

    /// The format a file name's extension names, if any.
    public static func from(path: String) -> OutputFormat? {
        let ext = (path as NSString).pathExtension.lowercased()
        return OutputFormat(rawValue: ext)
    }
}

/// A failure inside Graphviz, as one line.
public struct RenderError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// DOT text → image bytes, in this process, through libgvc (dot layout, cairo for
/// PNG and PDF, Graphviz's own SVG renderer).
///
/// libgvc is not thread-safe, and a context created and freed per figure leaks and
/// lets the pango plugin read freed memory, so there is one context for the whole
/// process (`shared`) and every Graphviz call goes through one lock. A figure holds it
/// from reading its DOT to drawing it, but for bpgraph's own layout in between
/// (`FigureLock`).
public final class Renderer: @unchecked Sendable {
    public static let shared = Renderer()

    /// cairo's largest bitmap side (Graphviz's pango plugin: CAIRO_XMAX, CAIRO_YMAX).
    static let maximumPixels = 32767.0

    let lock = NSLock()
    private let context: OpaquePointer?

    private init() {
        // Collect cgraph's messages instead of letting it print them.
        _ = agseterrf(graphvizMessage)
        context = gvContext()
        // bpgraph's raster device: cairo draws as for `png`, bpgraph encodes (Raster.swift).
        if let context { gvAddLibrary(context, bp_raster_library()) }
        if let fontconfig = Self.fontconfig {
            // Before any text is measured: two threads loading fontconfig would each do it
            // all. (Signalled again for the next one to wait: the exit.)
            fontconfig.wait()
            fontconfig.signal()
        }
    }

    /// Loads fontconfig's configuration (FcInit: it parses the XML files of /etc/fonts,
    /// 3.5 ms, the largest single piece of a one-figure process) on a background thread,
    /// while the caller parses its arguments, reads, evaluates and writes the spec as DOT,
    /// and then creates the Graphviz context (which loads the pango plugin). The first
    /// text measured waits for it (`shared`'s initialisation). Output is unchanged: it is
    /// what a batch's earlier figure leaves behind. Call it at most once, first thing;
    /// the process's exit waits for it (atexit), so that no library is torn down under it.
    ///
    /// Only fontconfig. Measured on two cores (README, start-up): creating the context on
    /// a second thread as well (its dlopen of the pango plugin's 17 libraries and FcInit
    /// are mostly the kernel mapping files, and slow each other down), and then laying
    /// out a small node in the default fonts ahead of the figure, made one figure slower.
    public static func prepareInBackground() {
        let done = DispatchSemaphore(value: 0)
        fontconfig = done
        atexit { Renderer.fontconfig?.wait() }
        // Looked up here, not on the thread: a lookup (glibc's dlsym) waits for the
        // loader's lock, which a dlopen on another thread holds throughout.
        let initFontconfig = bp_fontconfig_init_function()
        Thread.detachNewThread {
            bp_fontconfig_call(initFontconfig)
            done.signal()
        }
    }

    /// Signalled once FcInit has run (`prepareInBackground`); whoever waits signals it again.
    nonisolated(unsafe) private static var fontconfig: DispatchSemaphore?

    /// Graphviz's version, as libgvc reports it (e.g. `2.43.0`).
    public var graphvizVersion: String {
        lock.lock()
        defer { lock.unlock() }
        guard let context, let version = gvcVersion(context) else { return "unknown" }
        return String(cString: version)
    }

    /// Renders a figure as `DOTWriter.plan` wrote it to `format`. `dpi` applies to PNG.
    public func render(plan: FigurePlan, format: OutputFormat, dpi: Double = 144) throws -> [UInt8] {
        try draw(plan: plan, format: format, dpi: dpi).encoded()
    }

    /// Renders DOT text to `format`. `placeLabels` moves each edge's value above it and its
    /// gradient below it, reading which label is which from the attributes `DOTWriter`
    /// writes; without it the figure is what plain `dot` would draw. (A figure from
    /// `DOTWriter.plan` says so itself: `render(plan:)`.)
    public func render(dot: String, format: OutputFormat, dpi: Double = 144, placeLabels: Bool = true) throws -> [UInt8] {
        try draw(dot: dot, format: format, dpi: dpi, placeLabels: placeLabels).encoded()
    }

    /// The Graphviz half of `render`: layout and drawing (under the Graphviz lock, but for
    /// bpgraph's own layout between dot's and the drawing: `FigureLock`). PNG
    /// comes back as pixels, to be encoded by `Drawing.encoded()` on any thread while
    /// Graphviz draws the next figure; other formats come back as their bytes.
    public func draw(plan: FigurePlan, format: OutputFormat, dpi: Double = 144) throws -> Drawing {
        try draw(dot: plan.dot, labels: .typed(plan.labels), format: format, dpi: dpi)
    }

    /// `draw(plan:)` for DOT text: see `render(dot:)`.
    public func draw(dot: String, format: OutputFormat, dpi: Double = 144, placeLabels: Bool = true) throws -> Drawing {
        try draw(dot: dot, labels: placeLabels ? .fromAttributes : .none, format: format, dpi: dpi)
    }

    /// Where a drawing's label plan comes from.
    enum Labels {
        case typed(LabelTable)
        case fromAttributes
        case none
    }

    /// The heap set up once, before the first figure (`bp_heap_setup`).
    static let heapSetUp: Void = bp_heap_setup()

    private func draw(dot: String, labels: Labels, format: OutputFormat, dpi: Double) throws -> Drawing {
        if format == .dot { return Drawing(bytes: Array(dot.utf8)) }
        lock.lock()
        defer { lock.unlock() }
        Self.heapSetUp
        let gvc = try gvcContext()
        let graph = try read(dot)
        defer { _ = agclose(graph) }
        // (layOut throws only once gvLayout has run, so there is always a layout to free.)
        defer { _ = gvFreeLayout(gvc, graph) }
        try layOut(graph, gvc: gvc, labels: labels, format: format, dpi: dpi)
        try checkPixels(graph, format: format, dpi: dpi)
        return try drawLaidOut(graph, gvc: gvc, format: format, dpi: dpi)
    }

    func gvcContext() throws -> OpaquePointer {
        guard let gvc = context else { throw RenderError("Graphviz: could not create a context (are Graphviz's plugins installed? run `dot -c`)") }
        return gvc
    }

    /// dot's layout (which sizes the nodes), then bpgraph's own (`LabelPlan.apply`, which
    /// lets go of the lock meanwhile). The caller holds the lock and frees the layout, after
    /// a throw too.
    @discardableResult
    func layOut(_ graph: GraphPointer, gvc: OpaquePointer, labels: Labels, format: OutputFormat, dpi: Double,
                excluding: Set<NodePointer> = []) throws -> LabelPlan? {
        if format == .png {
            set(graph, "dpi", Self.number(dpi))
        }
        let plan: LabelPlan?
        switch labels {
        case .typed(let table): plan = LabelPlan(graph: graph, table: table, excluding: excluding)
        case .fromAttributes: plan = LabelPlan(graph: graph, table: nil, excluding: excluding)
        case .none: plan = nil
        }
        plan?.reserve()
        // bpgraph's own layout replaces dot's, groups included, so dot need not lay out
        // clusters: on Graphviz 2.42 its cluster phase loses 10-28 KB a figure (shim.h).
        let hidden = plan != nil && bp_dot_leaks_clusters() && bp_graph_hide_clusters(graph)
        let laidOut = gvLayout(gvc, graph, "dot")
        if hidden && laidOut == 0 { bp_graph_register_clusters(graph) }
        if laidOut != 0 || agerrors() >= Int32(AGERR.rawValue) {
            throw RenderError(graphvizError(default: "Graphviz could not lay out the graph"))
        }
        if let plan {
            let figureLock = FigureLock(lock)
            plan.apply(figureLock)
            if figureLock.failed { throw RenderError(graphvizError(default: "Graphviz could not lay out the graph")) }
        }
        return plan
    }

    /// cairo bitmaps stop at 32,767 pixels a side; past that the pango plugin prints a
    /// warning of its own and shrinks the figure to an unreadable size.
    func checkPixels(_ graph: GraphPointer, format: OutputFormat, dpi: Double) throws {
        guard format == .png else { return }
        let bb = bp_graph_bb(graph)
        let pad = 2 * 0.2 * 72  // the DOT's pad, both sides
        let width = ((bb.UR.x - bb.LL.x) + pad) * dpi / 72, height = ((bb.UR.y - bb.LL.y) + pad) * dpi / 72
        if width >= Self.maximumPixels || height >= Self.maximumPixels {
            throw RenderError("the figure is \(Int(width.rounded()))×\(Int(height.rounded())) pixels at \(Self.number(dpi)) dpi, more than a PNG can hold (\(Int(Self.maximumPixels)) a side); use svg or pdf, or a lower --dpi")
        }
    }

    /// Draws a laid-out graph (any number of times: a step frame per call).
    func drawLaidOut(_ graph: GraphPointer, gvc: OpaquePointer, format: OutputFormat, dpi: Double) throws -> Drawing {
        var data: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        let device = format == .png ? BP_RASTER_DEVICE : format.rawValue
        _ = bp_raster_take().map { cairo_surface_destroy($0) }
        let rendered = gvRenderData(gvc, graph, device, &data, &length)
        defer { if let data { gvFreeRenderData(data) } }
        let surface = format == .png ? bp_raster_take() : nil
        if rendered != 0 || data == nil || agerrors() >= Int32(AGERR.rawValue) {
            if let surface { cairo_surface_destroy(surface) }
            throw RenderError(graphvizError(default: "Graphviz could not render \(format.rawValue)"))
        }
        if format == .png {
            guard let surface else { throw RenderError("Graphviz drew no image (is the cairo plugin installed? run `dot -c`)") }
            return Drawing(surface: surface, dpi: dpi)
        }
        var bytes = data!.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
        if format == .pdf { Self.fixDates(&bytes) }
        if format == .svg { bytes = NodeTooltips.unwrap(bytes) }
        return Drawing(bytes: bytes)
    }

    /// Reads DOT text into a cgraph graph; the caller holds the lock and closes it.
    func read(_ dot: String) throws -> GraphPointer {
        graphvizMessages = ""
        _ = agreseterrors()
        // Like agmemread, with IDs in order of first mention (reader.h): clusters come
        // out in the same order on every run, whatever the heap looks like.
        let read = dot.withCString { bp_read_graph($0) }
        // The scanner keeps unread input (after an error, or a second graph) for the
        // next read; drop it so each figure starts clean.
        aglexbad()
        guard let graph = read else {
            throw RenderError(graphvizError(default: "Graphviz could not read the DOT text"))
        }
        if agerrors() >= Int32(AGERR.rawValue) {
            _ = agclose(graph)
            throw RenderError(graphvizError(default: "Graphviz could not read the DOT text"))
        }
        return graph
    }

    /// Runs `body` on the graph that `dot` reads as, under the Graphviz lock.
    func withGraph<T>(_ dot: String, _ body: (GraphPointer) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let graph = try read(dot)
        defer { _ = agclose(graph) }
        return try body(graph)
    }

    /// cairo stamps each PDF with the time it was made (`/CreationDate (D:…)`), which
    /// would make every run's bytes differ. The date's digits are replaced in place by a
    /// fixed date of the same length, so the file's cross-reference offsets stay valid.
    static func fixDates(_ pdf: inout [UInt8]) {
        let fixed = Array("20000101000000".utf8)
        for key in ["/CreationDate (D:", "/ModDate (D:"] {
            let pattern = Array(key.utf8)
            var i = 0
            while i + pattern.count <= pdf.count {
                guard pdf[i] == pattern[0], Array(pdf[i..<i + pattern.count]) == pattern else { i += 1; continue }
                var j = i + pattern.count, digit = 0
                while j < pdf.count, pdf[j] != UInt8(ascii: ")") {
                    if pdf[j] >= UInt8(ascii: "0") && pdf[j] <= UInt8(ascii: "9") {
                        pdf[j] = digit < fixed.count ? fixed[digit] : UInt8(ascii: "0")
                        digit += 1
                    }
                    j += 1
                }
                i = j
            }
        }
    }

    /// The first error Graphviz reported, as one line.
    func graphvizError(default fallback: String) -> String {
        let lines = graphvizMessages.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        if let error = lines.first(where: { $0.hasPrefix("Error") }) ?? lines.first(where: { !$0.isEmpty }) {
            var text = error
            if text.hasPrefix("Error: ") { text.removeFirst(7) }
            return "Graphviz: " + text
        }
        return fallback
    }

    /// A number as Graphviz and messages want it: `144`, `150.5`.
    public static func format(_ x: Double) -> String { number(x) }

    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : String(x)
    }
}

/// The Graphviz lock while one figure goes from dot's layout to its drawing. In between,
/// bpgraph lays the figure out again, routes it and places its labels (`LabelPlan.apply`):
/// plain Swift on a copy of what it reads of the graph, so it lets go of the lock
/// (`unlock()`) and another figure's Graphviz work runs meanwhile. It takes the lock back
/// (`lock()`) for a moment to install each layout's routes (Graphviz clips them to the
/// nodes), and at the end, to draw.
///
/// Graphviz keeps some of a laid-out graph's state outside the graph, which another
/// figure's reading and layout overwrite, so `lock()` puts this figure's back: the globals
/// its layout set (shim.h, `bp_globals`: attribute symbols that clipping and drawing read),
/// cgraph's messages and its error level. With Graphviz releases that have version macros
/// the lock is held throughout (shim.h: `bp_globals_can_save`).
final class FigureLock {
    private let graphviz: NSLock
    private var globals = bp_globals()
    private var messages = ""
    private var errorLevel: Int32 = 0
    private let letsGo = bp_globals_can_save()

    /// Right after the figure's `gvLayout`, with `lock` held.
    init(_ lock: NSLock) {
        graphviz = lock
        bp_globals_save(&globals)
    }

    /// Whether Graphviz reported an error for this figure before its last `unlock()` (the
    /// messages say which): `agerrors()` counts again from each `lock()`.
    var failed: Bool { errorLevel >= Int32(AGERR.rawValue) }

    /// Lets go of the Graphviz lock: until `lock()`, no Graphviz call and no pointer into
    /// the graph followed.
    func unlock() {
        guard letsGo else { return }
        messages = graphvizMessages
        errorLevel = max(errorLevel, agerrors())
        graphviz.unlock()
    }

    /// Takes the Graphviz lock back, with this figure's globals and messages.
    func lock() {
        guard letsGo else { return }
        graphviz.lock()
        bp_globals_restore(&globals)
        graphvizMessages = messages
        _ = agreseterrors()
    }
}

/// Messages cgraph hands to the callback, guarded by `Renderer.lock`.
nonisolated(unsafe) private var graphvizMessages = ""

private let graphvizMessage: agusererrf = { message in
    if let message { graphvizMessages += String(cString: message) }
    return 0
}

func set(_ object: UnsafeMutableRawPointer?, _ name: String, _ value: String) {
    name.withCString { n in
        value.withCString { v in
            "".withCString { d in
                _ = agsafeset(object, UnsafeMutablePointer(mutating: n), UnsafeMutablePointer(mutating: v), UnsafeMutablePointer(mutating: d))
            }
        }
    }
}

func set(_ graph: UnsafeMutablePointer<Agraph_t>, _ name: String, _ value: String) {
    set(UnsafeMutableRawPointer(graph), name, value)
}

func get(_ object: UnsafeMutableRawPointer?, _ name: String) -> String? {
    name.withCString { n in
        guard let v = agget(object, UnsafeMutablePointer(mutating: n)) else { return nil }
        return String(cString: v)
    }
}
