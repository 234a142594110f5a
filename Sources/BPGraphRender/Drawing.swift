import CCairo
import CGraphviz

/// A figure drawn by Graphviz and not yet encoded: the bytes of a vector format, or
/// for PNG the cairo image surface Graphviz drew into. Encoding touches no Graphviz
/// state, so it runs on any thread; each `Drawing` owns its surface and frees it.
public final class Drawing: @unchecked Sendable {
    private let bytes: [UInt8]?
    /// The cairo image surface (ARGB32), owned.
    private let surface: OpaquePointer?
    /// The resolution a PNG drawing was drawn at (0 for other formats), for its pHYs chunk.
    let dpi: Double

    /// zlib level of PNG output. Level 3 with no row filter came out both faster
    /// (about 7×) and smaller (about 17 %) than cairo's own writer (adaptive filters,
    /// level 6) on the 14 templates; see the README's benchmark section.
    public static let pngCompressionLevel: Int32 = 3

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.surface = nil
        self.dpi = 0
    }

    init(surface: OpaquePointer, dpi: Double) {
        self.bytes = nil
        self.surface = surface
        self.dpi = dpi
    }

    deinit {
        if let surface { cairo_surface_destroy(surface) }
    }

    var rasterSurface: OpaquePointer? { surface }

    /// Pixel size of a PNG drawing (nil for other formats).
    public var pixelSize: (width: Int, height: Int)? {
        guard let surface else { return nil }
        return (Int(cairo_image_surface_get_width(surface)), Int(cairo_image_surface_get_height(surface)))
    }

    /// The file's bytes: PNG encoded here (deterministic: same pixels, same bytes).
    public func encoded() throws -> [UInt8] {
        if let bytes { return bytes }
        guard let surface else { return [] }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard bp_png_encode(surface, Self.pngCompressionLevel, dpi, &out, &length) == 0, let out else {
            throw RenderError("could not encode the PNG (out of memory?)")
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}

extension Drawing {
    /// The PNG as Graphviz's own `png` device would write it (cairo's writer: libpng,
    /// adaptive filters, zlib level 6), from the same pixels. For the benchmark's
    /// before/after comparison; bpgraph writes `encoded()`.
    public func encodedByCairo() throws -> [UInt8] {
        guard let surface = rasterSurface else { return try encoded() }
        let sink = ByteSink()
        let status = cairo_surface_write_to_png_stream(surface, { closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque())
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError("cairo could not write the PNG") }
        return sink.bytes
    }
}

private final class ByteSink {
    var bytes: [UInt8] = []
}
