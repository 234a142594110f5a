// An independent PNG / APNG reader for the tests: its own inflate (RFC 1951), its own CRC,
// all five row filters, and APNG's frame composition. It shares no code with the encoder.

struct DecodeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// RFC 1951 inflate of a zlib stream (RFC 1950: header, deflate data, Adler-32 checked).
enum Inflate {
    static func zlib(_ data: [UInt8]) throws -> [UInt8] {
        guard data.count >= 6 else { throw DecodeError("zlib stream too short") }
        let cmf = Int(data[0]), flg = Int(data[1])
        guard cmf & 0x0F == 8, (cmf * 256 + flg) % 31 == 0, flg & 0x20 == 0 else { throw DecodeError("bad zlib header") }
        var reader = BitReader(data: data, position: 2)
        let out = try inflate(&reader)
        let end = reader.byteAligned()
        guard end + 4 <= data.count else { throw DecodeError("no Adler-32") }
        let expected = data[end..<(end + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler32(out) == expected else { throw DecodeError("Adler-32 mismatch") }
        return out
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    struct BitReader {
        let data: [UInt8]
        var position: Int
        var bitBuffer: UInt32 = 0
        var bitCount = 0

        init(data: [UInt8], position: Int) { self.data = data; self.position = position }

        mutating func bits(_ n: Int) throws -> Int {
            while bitCount < n {
                guard position < data.count else { throw DecodeError("deflate data ends early") }
                bitBuffer |= UInt32(data[position]) << UInt32(bitCount)
                position += 1
                bitCount += 8
            }
            let value = Int(bitBuffer & ((1 << UInt32(n)) - 1))
            bitBuffer >>= UInt32(n)
            bitCount -= n
            return value
        }

        /// Drops the bits left in the current byte; the position of the next whole byte.
        mutating func byteAligned() -> Int {
            let extraBytes = bitCount / 8
            bitBuffer = 0
            bitCount = 0
            position -= extraBytes
            return position
        }
    }

    /// A canonical Huffman code as counts per length and symbols in code order (as zlib's puff.c).
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }

        func decode(_ reader: inout BitReader) throws -> Int {
            var code = 0, first = 0, index = 0
            for length in 1...15 {
                code |= try reader.bits(1)
                let count = counts[length]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw DecodeError("bad Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func inflate(_ reader: inout BitReader) throws -> [UInt8] {
        var out: [UInt8] = []
        var last = 0
        repeat {
            last = try reader.bits(1)
            let type = try reader.bits(2)
            switch type {
            case 0:
                var p = reader.byteAligned()
                guard p + 4 <= reader.data.count else { throw DecodeError("stored block ends early") }
                let length = Int(reader.data[p]) | Int(reader.data[p + 1]) << 8
                let complement = Int(reader.data[p + 2]) | Int(reader.data[p + 3]) << 8
                guard length == (~complement & 0xFFFF) else { throw DecodeError("stored block length") }
                p += 4
                guard p + length <= reader.data.count else { throw DecodeError("stored block ends early") }
                out += reader.data[p..<(p + length)]
                reader.position = p + length
            case 1:
                let literal = try Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
                let distance = try Huffman(lengths: [Int](repeating: 5, count: 30))
                try codes(&reader, &out, literal, distance)
            case 2:
                let literalCount = try reader.bits(5) + 257, distanceCount = try reader.bits(5) + 1, codeCount = try reader.bits(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0..<codeCount { codeLengths[order[i]] = try reader.bits(3) }
                let lengthCode = try Huffman(lengths: codeLengths)
                var lengths: [Int] = []
                while lengths.count < literalCount + distanceCount {
                    let symbol = try lengthCode.decode(&reader)
                    switch symbol {
                    case 0..<16: lengths.append(symbol)
                    case 16:
                        guard let previous = lengths.last else { throw DecodeError("repeat with no length") }
                        lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
                    }
                }
                guard lengths.count == literalCount + distanceCount else { throw DecodeError("too many code lengths") }
                try codes(&reader, &out, Huffman(lengths: Array(lengths[0..<literalCount])), Huffman(lengths: Array(lengths[literalCount...])))
            default:
                throw DecodeError("deflate block type 3")
            }
        } while last == 0
        return out
    }

    static func codes(_ reader: inout BitReader, _ out: inout [UInt8], _ literal: Huffman, _ distance: Huffman) throws {
        while true {
            let symbol = try literal.decode(&reader)
            if symbol < 256 { out.append(UInt8(symbol)); continue }
            if symbol == 256 { return }
            let l = symbol - 257
            guard l < 29 else { throw DecodeError("bad length symbol") }
            let length = lengthBase[l] + (try reader.bits(lengthExtra[l]))
            let d = try distance.decode(&reader)
            guard d < 30 else { throw DecodeError("bad distance symbol") }
            let back = distanceBase[d] + (try reader.bits(distanceExtra[d]))
            guard back <= out.count else { throw DecodeError("distance too far back") }
            let start = out.count - back
            for i in 0..<length { out.append(out[start + i]) }
        }
    }
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit.
func pngCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

struct PNGChunk {
    var type: String
    var data: [UInt8]
}

func be32(_ bytes: [UInt8], _ at: Int) -> Int {
    Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
}

func be16(_ bytes: [UInt8], _ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }

/// The chunks of a PNG, each CRC checked.
func pngChunks(_ png: [UInt8]) throws -> [PNGChunk] {
    guard png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw DecodeError("no PNG signature") }
    var chunks: [PNGChunk] = []
    var at = 8
    while at < png.count {
        guard at + 12 <= png.count else { throw DecodeError("chunk header past the end") }
        let length = be32(png, at)
        guard at + 12 + length <= png.count else { throw DecodeError("chunk past the end") }
        let type = String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self)
        let data = Array(png[(at + 8)..<(at + 8 + length)])
        guard pngCRC32(Array(png[(at + 4)..<(at + 8 + length)])) == UInt32(be32(png, at + 8 + length)) else {
            throw DecodeError("bad CRC in \(type)")
        }
        chunks.append(PNGChunk(type: type, data: data))
        at += 12 + length
    }
    guard chunks.last?.type == "IEND" else { throw DecodeError("no IEND at the end") }
    return chunks
}

/// RGBA pixels, row by row.
struct RGBAImage: Equatable {
    var width: Int
    var height: Int
    var pixels: [UInt8]
}

/// The image data of a `width` × `height` rectangle (8-bit RGB or RGBA), unfiltered, as RGBA.
func decodeImageData(_ zlib: [UInt8], width: Int, height: Int, colorType: Int) throws -> RGBAImage {
    let channels = colorType == 2 ? 3 : 4
    guard colorType == 2 || colorType == 6 else { throw DecodeError("colour type \(colorType) not read here") }
    let raw = try Inflate.zlib(zlib)
    let rowBytes = width * channels
    guard raw.count == height * (rowBytes + 1) else { throw DecodeError("image data is \(raw.count) bytes, not \(height * (rowBytes + 1))") }
    var previous = [UInt8](repeating: 0, count: rowBytes)
    var rgba: [UInt8] = []
    rgba.reserveCapacity(width * height * 4)
    for y in 0..<height {
        let filter = raw[y * (rowBytes + 1)]
        var row = Array(raw[(y * (rowBytes + 1) + 1)..<((y + 1) * (rowBytes + 1))])
        for i in 0..<rowBytes {
            let a = i >= channels ? Int(row[i - channels]) : 0, b = Int(previous[i]), c = i >= channels ? Int(previous[i - channels]) : 0
            let predictor: Int
            switch filter {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            case 4:
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
            default: throw DecodeError("filter type \(filter)")
            }
            row[i] = UInt8(truncatingIfNeeded: Int(row[i]) + predictor)
        }
        for x in 0..<width {
            rgba += row[(x * channels)..<(x * channels + 3)]
            rgba.append(channels == 4 ? row[x * channels + 3] : 0xFF)
        }
        previous = row
    }
    return RGBAImage(width: width, height: height, pixels: rgba)
}

struct Header {
    var width: Int, height: Int, colorType: Int
    init(_ chunk: PNGChunk) throws {
        guard chunk.type == "IHDR", chunk.data.count == 13 else { throw DecodeError("no IHDR first") }
        width = be32(chunk.data, 0); height = be32(chunk.data, 4); colorType = Int(chunk.data[9])
        guard chunk.data[8] == 8, chunk.data[10] == 0, chunk.data[11] == 0, chunk.data[12] == 0 else { throw DecodeError("IHDR not 8-bit, deflate, no interlace") }
    }
}

/// The image a reader that knows no APNG shows: IHDR and the IDAT chunks only.
func decodeStillPNG(_ png: [UInt8]) throws -> RGBAImage {
    let chunks = try pngChunks(png)
    let header = try Header(chunks[0])
    let idat = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
    return try decodeImageData(idat, width: header.width, height: header.height, colorType: header.colorType)
}

struct FrameControl {
    var sequence: Int, width: Int, height: Int, x: Int, y: Int, delayNumerator: Int, delayDenominator: Int, dispose: Int, blend: Int
    init(_ d: [UInt8]) throws {
        guard d.count == 26 else { throw DecodeError("fcTL of \(d.count) bytes") }
        sequence = be32(d, 0); width = be32(d, 4); height = be32(d, 8); x = be32(d, 12); y = be32(d, 16)
        delayNumerator = be16(d, 20); delayDenominator = be16(d, 22); dispose = Int(d[24]); blend = Int(d[25])
    }
    /// The delay in ms (a denominator of 0 means 1/100 s).
    var delayMs: Double { Double(delayNumerator) * 1000 / Double(delayDenominator == 0 ? 100 : delayDenominator) }
}

struct DecodedAPNG {
    var frameCount: Int
    var plays: Int
    var controls: [FrameControl]
    /// The canvas after each frame.
    var frames: [RGBAImage]
}

/// Decodes an APNG as the spec says, checking its structure on the way: acTL before IDAT,
/// fcTL/fdAT sequence numbers 0, 1, 2, … with no gap, frames inside the canvas, only the
/// dispose and blend ops bpgraph writes (NONE, SOURCE), and as many frames as acTL says.
func decodeAPNG(_ png: [UInt8]) throws -> DecodedAPNG {
    let chunks = try pngChunks(png)
    let header = try Header(chunks[0])
    guard let actlAt = chunks.firstIndex(where: { $0.type == "acTL" }), let idatAt = chunks.firstIndex(where: { $0.type == "IDAT" }), actlAt < idatAt else {
        throw DecodeError("no acTL before the IDAT")
    }
    let actl = chunks[actlAt].data
    let frameCount = be32(actl, 0), plays = be32(actl, 4)
    var controls: [FrameControl] = []
    var data: [[UInt8]] = []
    var sequence = 0
    var sawIDAT = false
    for chunk in chunks {
        switch chunk.type {
        case "fcTL":
            let control = try FrameControl(chunk.data)
            guard control.sequence == sequence else { throw DecodeError("fcTL sequence \(control.sequence), expected \(sequence)") }
            sequence += 1
            guard control.width > 0, control.height > 0, control.x + control.width <= header.width, control.y + control.height <= header.height else {
                throw DecodeError("frame \(controls.count) outside the canvas")
            }
            if controls.isEmpty, sawIDAT { throw DecodeError("the first fcTL comes after the IDAT: the default image would not be frame 0") }
            controls.append(control)
            data.append([])
        case "IDAT":
            sawIDAT = true
            guard controls.count == 1 else { throw DecodeError("IDAT not right after frame 0's fcTL") }
            data[0] += chunk.data
        case "fdAT":
            guard be32(chunk.data, 0) == sequence else { throw DecodeError("fdAT sequence \(be32(chunk.data, 0)), expected \(sequence)") }
            sequence += 1
            guard controls.count >= 2 else { throw DecodeError("fdAT before the second fcTL") }
            data[data.count - 1] += chunk.data[4...]
        default: continue
        }
    }
    guard controls.count == frameCount else { throw DecodeError("acTL says \(frameCount) frames, the file has \(controls.count)") }
    guard let first = controls.first, first.x == 0, first.y == 0, first.width == header.width, first.height == header.height else {
        throw DecodeError("frame 0 is not the whole canvas")
    }
    var canvas = RGBAImage(width: header.width, height: header.height, pixels: [UInt8](repeating: 0, count: header.width * header.height * 4))
    var frames: [RGBAImage] = []
    for (control, zlib) in zip(controls, data) {
        guard control.dispose == 0, control.blend == 0 else { throw DecodeError("dispose \(control.dispose) / blend \(control.blend): not what bpgraph writes") }
        let region = try decodeImageData(zlib, width: control.width, height: control.height, colorType: header.colorType)
        for y in 0..<control.height {
            let to = ((control.y + y) * header.width + control.x) * 4
            canvas.pixels.replaceSubrange(to..<(to + control.width * 4), with: region.pixels[(y * control.width * 4)..<((y + 1) * control.width * 4)])
        }
        frames.append(canvas)
    }
    return DecodedAPNG(frameCount: frameCount, plays: plays, controls: controls, frames: frames)
}
