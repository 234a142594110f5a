import CCairo
import CGraphviz

/// Animated PNG (APNG) from PNG drawings of one size, with bpgraph's own encoder: the
/// pixels become PNG image data exactly as a still `Drawing.encoded()` makes it
/// (`raster.h`: same samples, row filter 0, one zlib stream at the same level), and the
/// chunks are assembled here.
///
/// The file is a PNG whose image (`IDAT`) is frame 0, so a reader that knows no APNG
/// shows the first frame. Frame 0 is also the animation's first frame (its `fcTL` comes
/// before the `IDAT`). Each later frame is only the rectangle of pixels that changed
/// since the frame before it (a 1 × 1 rectangle when nothing did), drawn over the
/// canvas with `dispose_op` NONE and `blend_op` SOURCE, so after frame k the canvas is
/// exactly frame k's pixels. The animation loops forever (`num_plays` 0). Same pixels
/// and delays, same bytes.
public enum APNGEncoder {
    /// An image as cairo draws one: `width` × `height` ARGB32 pixels (alpha in the top
    /// byte, colours premultiplied by it), row by row with no padding.
    public struct Image: Sendable {
        public var width: Int
        public var height: Int
        public var pixels: [UInt32]

        public init(width: Int, height: Int, pixels: [UInt32]) {
            self.width = width
            self.height = height
            self.pixels = pixels
        }
    }

    /// The largest delay a frame can have: 65,535 seconds, the most `delay_num` /
    /// `delay_den` (two 16-bit numbers) can say.
    public static let maximumDelayMs = 65_535_000

    /// Encodes PNG drawings (as `Renderer.draw(dot:format: .png, …)` returns them) of one
    /// pixel size and one dpi as an APNG, frame k shown for `delaysMs[k]` milliseconds.
    /// The pHYs chunk is the still PNG's.
    public static func encode(frames: [Drawing], delaysMs: [Int], compressionLevel: Int32 = Drawing.pngCompressionLevel) throws -> [UInt8] {
        guard let first = frames.first else { throw RenderError("an animation needs at least one frame") }
        var sources: [Source] = []
        sources.reserveCapacity(frames.count)
        for (k, frame) in frames.enumerated() {
            guard let surface = frame.rasterSurface,
                  cairo_image_surface_get_format(surface) == CAIRO_FORMAT_ARGB32 else {
                throw RenderError("frame \(k) of the animation is not a PNG drawing")
            }
            cairo_surface_flush(surface)
            guard let data = cairo_image_surface_get_data(surface) else {
                throw RenderError("frame \(k) of the animation has no pixels")
            }
            let source = Source(pointer: UnsafePointer(data), stride: Int(cairo_image_surface_get_stride(surface)),
                                width: Int(cairo_image_surface_get_width(surface)), height: Int(cairo_image_surface_get_height(surface)))
            if frame.dpi != first.dpi {
                throw RenderError("the animation's frames differ in resolution: frame \(k) is \(Renderer.format(frame.dpi)) dpi, frame 0 \(Renderer.format(first.dpi)) dpi")
            }
            sources.append(source)
        }
        // The drawings own the surfaces; they live until the end of this call.
        return try withExtendedLifetime(frames) {
            try assemble(sources, delaysMs: delaysMs, dpi: first.dpi, level: compressionLevel)
        }
    }

    /// Encodes ARGB32 images of one size as an APNG, frame k shown for `delaysMs[k]`
    /// milliseconds, with a pHYs chunk for `dpi` (none when it is 0).
    public static func encode(images: [Image], delaysMs: [Int], dpi: Double = 0, compressionLevel: Int32 = Drawing.pngCompressionLevel) throws -> [UInt8] {
        guard !images.isEmpty else { throw RenderError("an animation needs at least one frame") }
        guard dpi.isFinite, dpi >= 0 else { throw RenderError("the animation's dpi must be a number ≥ 0, not \(dpi)") }
        for (k, image) in images.enumerated() {
            guard image.width > 0, image.height > 0 else {
                throw RenderError("frame \(k) of the animation is \(image.width)×\(image.height) pixels; a PNG needs at least 1×1")
            }
            let (count, overflow) = image.width.multipliedReportingOverflow(by: image.height)
            guard !overflow, image.pixels.count == count else {
                throw RenderError("frame \(k) of the animation has \(image.pixels.count) pixels, not \(image.width)×\(image.height)")
            }
        }
        // One contiguous copy, so that every frame's pixels have a stable address at once.
        let total = images.reduce(0) { $0 + $1.pixels.count }
        let storage = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: total)
        defer { storage.deallocate() }
        var sources: [Source] = []
        var offset = 0
        for image in images {
            _ = UnsafeMutableBufferPointer(rebasing: storage[offset..<(offset + image.pixels.count)]).initialize(from: image.pixels)
            let pointer = UnsafeRawPointer(storage.baseAddress! + offset).assumingMemoryBound(to: UInt8.self)
            sources.append(Source(pointer: pointer, stride: image.width * 4, width: image.width, height: image.height))
            offset += image.pixels.count
        }
        return try assemble(sources, delaysMs: delaysMs, dpi: dpi, level: compressionLevel)
    }

    /// The delays `--frame-ms` gives `count` frames: `frameMs` each, the last
    /// `lastHoldFactor` times as long.
    public static func delays(count: Int, frameMs: Int, lastHoldFactor: Int = 3) throws -> [Int] {
        guard count > 0 else { throw RenderError("an animation needs at least one frame") }
        let last = try AnimatedSVG.lastFrameMs(frameMs: frameMs, lastHoldFactor: lastHoldFactor)
        return Array(repeating: frameMs, count: count - 1) + [last]
    }

    // MARK: Assembly

    struct Source {
        var pointer: UnsafePointer<UInt8>
        var stride: Int
        var width: Int
        var height: Int
    }

    /// A frame's delay as `delay_num` / `delay_den`: milliseconds when they fit in 16
    /// bits, else the finest of centiseconds, tenths and seconds that holds the delay
    /// exactly, else the finest that holds it rounded.
    static func delayFraction(ms: Int) throws -> (numerator: UInt16, denominator: UInt16) {
        guard ms >= 0, ms <= maximumDelayMs else {
            throw RenderError("a frame's delay must be 0 to \(maximumDelayMs) ms, not \(ms)")
        }
        let units: [(den: Int, ms: Int)] = [(1000, 1), (100, 10), (10, 100), (1, 1000)]
        if let exact = units.first(where: { ms % $0.ms == 0 && ms / $0.ms <= 0xFFFF }) {
            return (UInt16(ms / exact.ms), UInt16(exact.den))
        }
        let rounded = units.first { (ms + $0.ms / 2) / $0.ms <= 0xFFFF }!  // seconds always fit (checked above)
        return (UInt16((ms + rounded.ms / 2) / rounded.ms), UInt16(rounded.den))
    }

    static func assemble(_ frames: [Source], delaysMs: [Int], dpi: Double, level: Int32) throws -> [UInt8] {
        guard let first = frames.first else { throw RenderError("an animation needs at least one frame") }
        guard delaysMs.count == frames.count else {
            throw RenderError("the animation has \(frames.count) frames but \(delaysMs.count) delays")
        }
        guard (0...9).contains(level) else { throw RenderError("zlib's compression level is 0 to 9, not \(level)") }
        let (width, height) = (first.width, first.height)
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw RenderError("frame 0 of the animation is \(width)×\(height) pixels, which a PNG cannot hold")
        }
        for (k, frame) in frames.enumerated() where frame.width != width || frame.height != height {
            throw RenderError("the animation's frames differ in size: frame \(k) is \(frame.width)×\(frame.height) pixels, frame 0 \(width)×\(height)")
        }
        let fractions = try delaysMs.map { try delayFraction(ms: $0) }
        guard frames.count <= 0x3FFF_FFFF else { throw RenderError("an APNG holds fewer frames than \(frames.count)") }

        // One colour type for all frames: RGB when every pixel of every frame is opaque.
        let opaque = frames.allSatisfy { bp_pixels_opaque($0.pointer, Int32($0.stride), Int32(width), Int32(height)) != 0 }
        var png = PNGWriter()
        png.bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.chunk("IHDR", be32(width) + be32(height) + [8, opaque ? 2 : 6, 0, 0, 0])
        png.chunk("acTL", be32(frames.count) + be32(0))  // num_plays 0: loop forever
        if !opaque { png.chunk("bKGD", [0, 0xFF, 0, 0xFF, 0, 0xFF]) }  // white, as the still PNG
        if dpi > 0 {
            let perMetre = Int((dpi / 0.0254 + 0.5).rounded(.down))
            guard perMetre <= 0xFFFF_FFFF else { throw RenderError("\(Renderer.format(dpi)) dpi is more than a PNG can say") }
            png.chunk("pHYs", be32(perMetre) + be32(perMetre) + [1])
        }

        var sequence = 0
        func frameControl(_ box: (x: Int, y: Int, width: Int, height: Int), _ k: Int) {
            let delay = fractions[k]
            png.chunk("fcTL", be32(sequence) + be32(box.width) + be32(box.height) + be32(box.x) + be32(box.y)
                      + be16(Int(delay.numerator)) + be16(Int(delay.denominator))
                      + [0, 0])  // dispose_op NONE, blend_op SOURCE
            sequence += 1
        }

        frameControl((0, 0, width, height), 0)
        for part in try deflate(first, (0, 0, width, height), opaque: opaque, level: level).chunked(PNGWriter.dataChunk) {
            png.chunk("IDAT", part)
        }
        for k in frames.indices.dropFirst() {
            let (previous, frame) = (frames[k - 1], frames[k])
            var box: [Int32] = [0, 0, 1, 1]  // nothing changed: one unchanged pixel
            _ = bp_pixels_changed_box(previous.pointer, Int32(previous.stride), frame.pointer, Int32(frame.stride),
                                      Int32(width), Int32(height), &box)
            let rectangle = (x: Int(box[0]), y: Int(box[1]), width: Int(box[2]), height: Int(box[3]))
            frameControl(rectangle, k)
            for part in try deflate(frame, rectangle, opaque: opaque, level: level).chunked(PNGWriter.dataChunk - 4) {
                png.chunk("fdAT", be32(sequence) + part)
                sequence += 1
            }
        }
        png.chunk("IEND", [])
        return png.bytes
    }

    /// The zlib stream of a rectangle of a frame, as PNG image data.
    static func deflate(_ frame: Source, _ box: (x: Int, y: Int, width: Int, height: Int), opaque: Bool, level: Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard bp_png_deflate_rect(frame.pointer, Int32(frame.stride), Int32(box.x), Int32(box.y), Int32(box.width), Int32(box.height),
                                  opaque ? 1 : 0, level, &out, &length) == 0, let out else {
            throw RenderError("could not encode the animated PNG (out of memory?)")
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}

/// PNG chunks: length, type, data, CRC.
struct PNGWriter {
    /// The data of one IDAT or fdAT chunk at most, as the still PNG's IDAT chunks.
    static let dataChunk = 65536

    var bytes: [UInt8] = []

    mutating func chunk(_ type: String, _ data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        bytes += be32(data.count)
        bytes += typeBytes
        bytes += data
        let crc = typeBytes.withUnsafeBufferPointer { t in
            data.withUnsafeBufferPointer { d in bp_png_crc(t.baseAddress, d.baseAddress, d.count) }
        }
        bytes += be32(Int(crc))
    }
}

private func be32(_ v: Int) -> [UInt8] {
    [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}

private func be16(_ v: Int) -> [UInt8] {
    [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}

private extension Array where Element == UInt8 {
    /// The bytes in runs of at most `size` (one empty run for no bytes).
    func chunked(_ size: Int) -> [[UInt8]] {
        guard !isEmpty else { return [[]] }
        return stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
