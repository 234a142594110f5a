import BPGraph
import BPGraphRender
import Foundation
import Testing

/// Frames of one figure that differ the way a step-by-step animation's do: the sigmoid
/// drawn from one DOT with a node highlighted, a step that changes nothing, a label
/// hidden (white on white, its room kept) and another node highlighted, and the whole
/// background recoloured. Same layout, so the same pixel size and SVG size.
enum AnimationFrames {
    static func dots(background: String = "white") throws -> [String] {
        var plain = try DOTWriter().write(Fixtures.evaluate(Fixtures.sigmoid))
        if background != "white" { plain = try replaced(plain, #"bgcolor="white""#, #"bgcolor="\#(background)""#) }
        let highlightA = try replaced(plain, ##""a" [label="×","##, ##""a" [label="×", fillcolor="#ffd27f","##)
        var hidden = try replaced(plain, ##""c" [label="+","##, ##""c" [label="+", fillcolor="#ffd27f","##)
        hidden = try replaced(hidden, ##""b" -> "c" [id="e3", label="0.607","##, ##""b" -> "c" [id="e3", fontcolor="white", label="0.607","##)
        let recoloured = try replaced(plain, ##"bgcolor="\##(background)""##, ##"bgcolor="#eef3fb""##)
        return [plain, highlightA, highlightA, hidden, recoloured]
    }

    /// `text` with `old` replaced, failing when `old` is not there (the DOT changed shape).
    static func replaced(_ text: String, _ old: String, _ new: String) throws -> String {
        guard text.contains(old) else { throw DecodeError("the sigmoid's DOT has no \(old)") }
        return text.replacingOccurrences(of: old, with: new)
    }

    static func drawings(_ dots: [String], dpi: Double = 144) throws -> [Drawing] {
        try dots.map { try Renderer.shared.draw(dot: $0, format: .png, dpi: dpi) }
    }
}

@Suite("Animated PNG", .serialized)
struct APNGTests {
    @Test("acTL says N frames, sequence numbers run 0, 1, 2 … and every frame's pixels are its still PNG's")
    func framesMatchStills() throws {
        let drawings = try AnimationFrames.drawings(AnimationFrames.dots())
        let stills = try drawings.map { try $0.encoded() }
        let delays = try APNGEncoder.delays(count: drawings.count, frameMs: 900)
        #expect(delays == [900, 900, 900, 900, 2700])
        let apng = try APNGEncoder.encode(frames: drawings, delaysMs: delays)
        let decoded = try decodeAPNG(apng)  // checks CRCs, sequence numbers, acTL against the frames
        #expect(decoded.frameCount == drawings.count)
        #expect(decoded.plays == 0)
        #expect(decoded.controls.map(\.delayMs) == delays.map(Double.init))
        for (k, still) in stills.enumerated() {
            let expected = try decodeStillPNG(still)
            #expect(decoded.frames[k] == expected, "frame \(k) differs from its still PNG")
        }
        // The frames after the first are the changed rectangle only.
        let (width, height) = (decoded.frames[0].width, decoded.frames[0].height)
        let regions = decoded.controls.map { ($0.x, $0.y, $0.width, $0.height) }
        #expect(regions[0] == (0, 0, width, height))
        #expect(regions[1].2 * regions[1].3 < width * height / 8, "highlighting one node redraws \(regions[1])")
        #expect(regions[2] == (0, 0, 1, 1), "a step that changes nothing is one pixel")
        #expect(regions[3].2 * regions[3].3 < width * height / 2)
        #expect(regions[4] == (0, 0, width, height), "a new background is the whole canvas")
    }

    @Test("a reader that knows no APNG shows frame 0: the still PNG's chunks and image data")
    func defaultImageIsFrameZero() throws {
        let drawings = try AnimationFrames.drawings(AnimationFrames.dots())
        let apng = try APNGEncoder.encode(frames: drawings, delaysMs: try APNGEncoder.delays(count: drawings.count, frameMs: 900))
        let still = try drawings[0].encoded()
        #expect(try decodeStillPNG(apng) == decodeStillPNG(still))
        let chunks = try pngChunks(apng), stillChunks = try pngChunks(still)
        // IHDR and pHYs as the still's; acTL and fcTL before the IDAT, which is the still's, byte for byte.
        #expect(chunks[0].data == stillChunks[0].data)
        #expect(chunks.first { $0.type == "pHYs" }?.data == stillChunks.first { $0.type == "pHYs" }?.data)
        let types = chunks.map(\.type)
        #expect(Array(types.prefix(2)) == ["IHDR", "acTL"])
        #expect(types.firstIndex(of: "fcTL")! < types.firstIndex(of: "IDAT")!)
        #expect(chunks.filter { $0.type == "IDAT" }.flatMap(\.data) == stillChunks.filter { $0.type == "IDAT" }.flatMap(\.data))
        // Everything a still reader needs comes before the animation's chunks, and nothing unknown.
        #expect(Set(types).isSubset(of: ["IHDR", "acTL", "pHYs", "bKGD", "fcTL", "IDAT", "fdAT", "IEND"]))
    }

    @Test("Pillow reads the APNG: N frames, each the still PNG's pixels, the delays, looping")
    func pillowReadsIt() throws {
        let drawings = try AnimationFrames.drawings(AnimationFrames.dots())
        let delays = try APNGEncoder.delays(count: drawings.count, frameMs: 250, lastHoldFactor: 4)
        let apng = try APNGEncoder.encode(frames: drawings, delaysMs: delays)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpgraph-apng-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(apng).write(to: dir.appendingPathComponent("anim.png"))
        for (k, drawing) in drawings.enumerated() { try Data(try drawing.encoded()).write(to: dir.appendingPathComponent("still-\(k).png")) }
        let script = """
            import sys
            from PIL import Image
            d = sys.argv[1]
            im = Image.open(d + "/anim.png")
            print("frames", im.n_frames, "loop", im.info.get("loop"))
            for k in range(im.n_frames):
                im.seek(k)
                still = Image.open(d + "/still-%d.png" % k).convert("RGBA")
                same = im.convert("RGBA").tobytes() == still.tobytes()
                print("frame", k, "same" if same else "differs", int(im.info.get("duration")))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, dir.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Pillow is installed by scripts/setup; without it this test fails rather than passing unseen.
        #expect(process.terminationStatus == 0, "python3 with Pillow could not read the APNG: \(output)")
        var expected = "frames \(drawings.count) loop 0\n"
        for (k, delay) in delays.enumerated() { expected += "frame \(k) same \(delay)\n" }
        #expect(output == expected)
    }

    @Test("the same frames give the same bytes, from fresh renders too")
    func deterministic() throws {
        let dots = try AnimationFrames.dots()
        let delays = try APNGEncoder.delays(count: dots.count, frameMs: 900)
        let a = try APNGEncoder.encode(frames: AnimationFrames.drawings(dots), delaysMs: delays)
        let b = try APNGEncoder.encode(frames: AnimationFrames.drawings(dots), delaysMs: delays)
        #expect(a == b)
    }

    @Test("transparent frames: RGBA for all frames, each still's pixels, bKGD as the still's")
    func transparent() throws {
        // Frame 0..3 transparent (RGBA stills), frame 4 opaque (an RGB still): one colour type for all.
        let drawings = try AnimationFrames.drawings(AnimationFrames.dots(background: "transparent"))
        let apng = try APNGEncoder.encode(frames: drawings, delaysMs: try APNGEncoder.delays(count: drawings.count, frameMs: 900))
        let chunks = try pngChunks(apng)
        #expect(try Header(chunks[0]).colorType == 6)
        let stillChunks = try pngChunks(try drawings[0].encoded())
        #expect(chunks.first { $0.type == "bKGD" }?.data == stillChunks.first { $0.type == "bKGD" }?.data)
        let decoded = try decodeAPNG(apng)
        for (k, drawing) in drawings.enumerated() {
            #expect(decoded.frames[k] == (try decodeStillPNG(drawing.encoded())), "frame \(k)")
        }
        #expect(try Header(pngChunks(try drawings[4].encoded())[0]).colorType == 2, "the opaque frame's still is RGB")
    }

    /// A width × height image of pseudo-random opaque pixels (a fixed LCG).
    static func noise(width: Int, height: Int, seed: UInt32) -> APNGEncoder.Image {
        var state = seed
        var pixels: [UInt32] = []
        for _ in 0..<(width * height) {
            state = state &* 1_664_525 &+ 1_013_904_223
            pixels.append(0xFF00_0000 | (state >> 8))
        }
        return APNGEncoder.Image(width: width, height: height, pixels: pixels)
    }

    @Test("raw ARGB32 frames: large frames split over several fdAT chunks, premultiplied alpha undone, delays past 65 s")
    func rawImages() throws {
        let big0 = Self.noise(width: 200, height: 160, seed: 1)
        var big1 = Self.noise(width: 200, height: 160, seed: 2)
        // A premultiplied half-transparent pixel: colour 0x40 at alpha 0x80 is 0x80 unpremultiplied.
        big1.pixels[5 * 200 + 7] = 0x8040_4040
        let big2 = big1
        var big3 = big1
        big3.pixels[159 * 200 + 199] = 0xFF12_3456  // one pixel in the far corner
        let delays = [40, 70_000, 0, 65_535_000]
        let apng = try APNGEncoder.encode(images: [big0, big1, big2, big3], delaysMs: delays, dpi: 96)
        let decoded = try decodeAPNG(apng)
        #expect(decoded.frameCount == 4)
        #expect(decoded.controls.map(\.delayMs) == [40, 70_000, 0, 65_535_000])
        #expect(decoded.controls.map(\.delayDenominator) == [1000, 100, 1000, 1])
        #expect(try pngChunks(apng).filter { $0.type == "fdAT" }.count >= 2, "a 128 KB frame takes more than one fdAT")
        #expect(try Header(pngChunks(apng)[0]).colorType == 6)
        for (k, image) in [big0, big1, big2, big3].enumerated() {
            var expected: [UInt8] = []
            for p in image.pixels {
                let a = p >> 24
                func channel(_ c: UInt32) -> UInt8 { a == 0 ? 0 : UInt8((c * 255 + a / 2) / a) }
                expected += [channel((p >> 16) & 0xFF), channel((p >> 8) & 0xFF), channel(p & 0xFF), UInt8(a)]
            }
            #expect(decoded.frames[k].pixels == expected, "frame \(k)")
        }
        #expect(decoded.frames[1].pixels[(5 * 200 + 7) * 4..<(5 * 200 + 7) * 4 + 4] == [0x80, 0x80, 0x80, 0x80])
        #expect(decoded.controls[2].width * decoded.controls[2].height == 1)
        #expect((decoded.controls[3].x, decoded.controls[3].y, decoded.controls[3].width, decoded.controls[3].height) == (199, 159, 1, 1))
        let phys = try pngChunks(apng).first { $0.type == "pHYs" }!.data
        #expect(be32(phys, 0) == 3780 && phys[8] == 1)  // 96 dpi in pixels per metre
    }

    @Test("one frame is an APNG of one frame")
    func singleFrame() throws {
        let image = Self.noise(width: 3, height: 2, seed: 9)
        let decoded = try decodeAPNG(APNGEncoder.encode(images: [image], delaysMs: [900]))
        #expect(decoded.frameCount == 1 && decoded.frames.count == 1)
    }

    @Test("bad input throws a clear error, never traps")
    func errors() throws {
        let drawings = try AnimationFrames.drawings(Array(AnimationFrames.dots().prefix(2)))
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try APNGEncoder.encode(frames: [], delaysMs: []) } == "an animation needs at least one frame")
        #expect(message { try APNGEncoder.encode(frames: drawings, delaysMs: [900]) } == "the animation has 2 frames but 1 delays")
        #expect(message { try APNGEncoder.encode(frames: drawings, delaysMs: [900, -1]) } == "a frame's delay must be 0 to 65535000 ms, not -1")
        #expect(message { try APNGEncoder.encode(frames: drawings, delaysMs: [900, 65_535_001]) } == "a frame's delay must be 0 to 65535000 ms, not 65535001")
        #expect(message { try APNGEncoder.encode(frames: drawings, delaysMs: [9, 9], compressionLevel: 12) } == "zlib's compression level is 0 to 9, not 12")
        let other = try Renderer.shared.draw(dot: "digraph { a -> b }", format: .png)
        let size = drawings[0].pixelSize!, otherSize = other.pixelSize!
        #expect(message { try APNGEncoder.encode(frames: [drawings[0], other], delaysMs: [1, 1]) }
                == "the animation's frames differ in size: frame 1 is \(otherSize.width)×\(otherSize.height) pixels, frame 0 \(size.width)×\(size.height)")
        let lowDPI = try Renderer.shared.draw(dot: AnimationFrames.dots()[0], format: .png, dpi: 72)
        #expect(message { try APNGEncoder.encode(frames: [lowDPI, drawings[0]], delaysMs: [1, 1]) }
                == "the animation's frames differ in resolution: frame 1 is 144 dpi, frame 0 72 dpi")
        let svg = try Renderer.shared.draw(dot: "digraph { a -> b }", format: .svg)
        #expect(message { try APNGEncoder.encode(frames: [drawings[0], svg], delaysMs: [1, 1]) } == "frame 1 of the animation is not a PNG drawing")
        #expect(message { try APNGEncoder.encode(images: [APNGEncoder.Image(width: 2, height: 2, pixels: [0, 0, 0])], delaysMs: [1]) }
                == "frame 0 of the animation has 3 pixels, not 2×2")
        #expect(message { try APNGEncoder.encode(images: [APNGEncoder.Image(width: 0, height: 5, pixels: [])], delaysMs: [1]) }
                == "frame 0 of the animation is 0×5 pixels; a PNG needs at least 1×1")
        #expect(message { try APNGEncoder.encode(images: [APNGEncoder.Image(width: Int.max, height: 2, pixels: [])], delaysMs: [1]) }
                == "frame 0 of the animation has 0 pixels, not \(Int.max)×2")
        #expect(message { try APNGEncoder.encode(images: [Self.noise(width: 1, height: 1, seed: 1)], delaysMs: [1], dpi: -3) }
                == "the animation's dpi must be a number ≥ 0, not -3.0")
        #expect(message { try APNGEncoder.delays(count: 0, frameMs: 900) } == "an animation needs at least one frame")
        #expect(message { try APNGEncoder.delays(count: 3, frameMs: 0) } == "the time per frame must be at least 1 ms, not 0")
        #expect(message { try APNGEncoder.delays(count: 3, frameMs: Int.max) }.hasPrefix("the last frame would last"))
    }
}
