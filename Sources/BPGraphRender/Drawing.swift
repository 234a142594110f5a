import CGraphviz

/// A figure drawn by Graphviz and not yet encoded: the bytes of a vector format, or
/// for PNG the cairo image surface Graphviz drew into. Encoding touches no Graphviz
/// state, so it runs on any thread; each `Drawing` owns its surface and frees it.
public final class Drawing: @unchecked Sendable {
    private let bytes: [UInt8]?
    /// The cairo image surface (ARGB32), owned.
    private let surface: OpaquePointer?
    private let dpi: Double

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
