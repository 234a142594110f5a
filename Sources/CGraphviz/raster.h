// Raster output without Graphviz's PNG writer.
//
// Graphviz's `png` device draws with cairo and then encodes inside the render call
// (libpng through cairo: adaptive filters, zlib level 6), which is most of an
// in-process render and has to run on the one Graphviz thread. bpgraph registers its
// own device instead, `bpgraph_raster:cairo`: the same cairo renderer draws into
// the same ARGB32 image surface as for `png` (same device features, so the same size
// and pixels), and the device's `format` step only keeps a reference to that surface.
// The caller then encodes it with `bp_png_encode`, on any thread, while Graphviz
// goes on with the next figure.
#ifndef BPGRAPH_CGRAPHVIZ_RASTER_H
#define BPGRAPH_CGRAPHVIZ_RASTER_H

#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>
#include <graphviz/gvplugin_device.h>
#include <graphviz/gvcjob.h>
#include <cairo.h>              // through pkg-config cairo (the CCairo target)
#include <zlib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// --- the device

/// The surface the last render drew into (one slot: Graphviz calls are serialized).
static inline cairo_surface_t **bp_raster_slot(void) {
    static cairo_surface_t *slot = NULL;
    return &slot;
}

static void bp_raster_format(GVJ_t *job) {
    if (!job->context) return;
    cairo_surface_t *target = cairo_get_target((cairo_t *)job->context);
    if (!target || cairo_surface_get_type(target) != CAIRO_SURFACE_TYPE_IMAGE) return;
    cairo_surface_t **slot = bp_raster_slot();
    if (*slot) cairo_surface_destroy(*slot);
    *slot = cairo_surface_reference(target);
}

/// The device's type name as `gvRenderData` wants it.
#define BP_RASTER_DEVICE "bpgraph_raster"

/// The plugin library to hand to `gvAddLibrary` once per context.
static inline gvplugin_library_t *bp_raster_library(void) {
    static gvdevice_engine_t engine = { NULL, bp_raster_format, NULL };
    // As Graphviz's own png:cairo device: binary, true colour, no margin, 96 dpi
    // unless the graph says otherwise.
    static gvdevice_features_t features = {
        GVDEVICE_BINARY_FORMAT | GVDEVICE_DOES_TRUECOLOR, {0., 0.}, {0., 0.}, {96., 96.}
    };
    static gvplugin_installed_t devices[] = {
        { 0, BP_RASTER_DEVICE ":cairo", 10, &engine, &features },
        { 0, NULL, 0, NULL, NULL }
    };
    static gvplugin_api_t apis[] = { { API_device, devices }, { (api_t)0, NULL } };
    static gvplugin_library_t library = { "bpgraph", apis };
    return &library;
}

/// Takes the surface of the last render (owned by the caller: release it with
/// `cairo_surface_destroy`), or NULL if nothing was drawn.
static inline cairo_surface_t *bp_raster_take(void) {
    cairo_surface_t **slot = bp_raster_slot();
    cairo_surface_t *surface = *slot;
    *slot = NULL;
    return surface;
}

// --- PNG encoding

typedef struct {
    unsigned char *data;
    size_t length, capacity;
    int failed;
} bp_buffer;

static void bp_buffer_append(bp_buffer *b, const void *bytes, size_t n) {
    if (b->failed) return;
    if (b->length + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + n) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(b->data, capacity);
        if (!grown) { b->failed = 1; return; }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, bytes, n);
    b->length += n;
}

static void bp_put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static void bp_png_chunk(bp_buffer *b, const char *type, const unsigned char *data, uint32_t n) {
    unsigned char head[8];
    bp_put32(head, n);
    memcpy(head + 4, type, 4);
    bp_buffer_append(b, head, 8);
    if (n) bp_buffer_append(b, data, n);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (n) crc = crc32(crc, data, n);
    unsigned char tail[4];
    bp_put32(tail, (uint32_t)crc);
    bp_buffer_append(b, tail, 4);
}

/// One pixel as RGBA, un-premultiplied as cairo's PNG writer does it.
static inline void bp_png_pixel(uint32_t p, unsigned char *o) {
    uint32_t alpha = p >> 24;
    if (alpha == 0xff) {       // (c·255 + 127) / 255 = c: no divisions
        o[0] = (unsigned char)(p >> 16); o[1] = (unsigned char)(p >> 8); o[2] = (unsigned char)p; o[3] = 0xff;
    } else if (alpha == 0) {
        o[0] = o[1] = o[2] = o[3] = 0;
    } else {
        o[0] = (unsigned char)((((p >> 16) & 0xff) * 255 + alpha / 2) / alpha);
        o[1] = (unsigned char)((((p >> 8) & 0xff) * 255 + alpha / 2) / alpha);
        o[2] = (unsigned char)(((p & 0xff) * 255 + alpha / 2) / alpha);
        o[3] = (unsigned char)alpha;
    }
}

/// One row of ARGB32 pixels (cairo's: premultiplied, one native-endian uint32 each) as
/// PNG samples: 8-bit RGB when `opaque`, else RGBA un-premultiplied exactly as cairo's own
/// PNG writer does it. Writes width × 3 or width × 4 bytes at `o`.
static inline void bp_png_row(const uint32_t *row, int width, int opaque, unsigned char *o) {
    if (opaque) {
        for (int x = 0; x < width; x++) {
            uint32_t p = row[x];
            o[0] = (unsigned char)(p >> 16); o[1] = (unsigned char)(p >> 8); o[2] = (unsigned char)p;
            o += 3;
        }
        return;
    }
    int x = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // Four pixels at a time where all four are opaque (R, G, B, 255: cairo's word with
    // its red and blue bytes swapped) or all four transparent (zeros), the same bytes
    // `bp_png_pixel` writes; else each on its own.
    for (; x + 4 <= width; x += 4) {
        uint32_t p[4];
        memcpy(p, row + x, sizeof p);
        if (((p[0] & p[1] & p[2] & p[3]) >> 24) == 0xff) {
            uint32_t q[4];
            for (int k = 0; k < 4; k++) q[k] = (p[k] & 0xff00ff00u) | ((p[k] >> 16) & 0xffu) | ((p[k] & 0xffu) << 16);
            memcpy(o, q, sizeof q);
        } else if (((p[0] | p[1] | p[2] | p[3]) >> 24) == 0) {
            memset(o, 0, 16);
        } else {
            for (int k = 0; k < 4; k++) bp_png_pixel(p[k], o + 4 * k);
        }
        o += 16;
    }
#endif
    for (; x < width; x++) {
        bp_png_pixel(row[x], o);
        o += 4;
    }
}

/// 1 when every pixel of the ARGB32 pixels is opaque (alpha 255), else 0.
static inline int bp_pixels_opaque(const unsigned char *pixels, int stride, int width, int height) {
    for (int y = 0; y < height; y++) {
        const uint32_t *row = (const uint32_t *)(pixels + (size_t)y * stride);
        // (The row's alphas and-ed together, without a branch per pixel.)
        uint32_t all = 0xffffffffu;
        for (int x = 0; x < width; x++) all &= row[x];
        if ((all >> 24) != 0xff) return 0;
    }
    return 1;
}

/// Adler-32 of `len` bytes from `adler` (zlib's `adler32`, the same value): 16 bytes at
/// a time with SSE2 where there is SSE2, so that the checksum, which zlib computes a
/// byte at a time while it compresses, costs next to nothing.
static inline uint32_t bp_adler32(uint32_t adler, const unsigned char *buf, size_t len) {
    enum { BASE = 65521, NMAX = 5552 };  // as zlib: NMAX, a multiple of 16, keeps the sums in range
    uint64_t a = adler & 0xffff, b = adler >> 16;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    const __m128i weightsLow = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
    const __m128i weightsHigh = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
    while (len >= 16) {
        size_t n = len < NMAX ? len : NMAX;
        n &= ~(size_t)15;
        len -= n;
        // Per block: a += Σ x, b += n·a + Σ (n − i)·x_i, as 16-byte chunks: the sums of
        // the bytes, of the sums before each chunk, and of each chunk's bytes weighted 16…1.
        __m128i sums = zero, before = zero, weighted = zero;
        for (size_t k = 0; k < n; k += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(buf + k));
            before = _mm_add_epi32(before, sums);
            sums = _mm_add_epi32(sums, _mm_sad_epu8(x, zero));
            weighted = _mm_add_epi32(weighted, _mm_madd_epi16(_mm_unpacklo_epi8(x, zero), weightsLow));
            weighted = _mm_add_epi32(weighted, _mm_madd_epi16(_mm_unpackhi_epi8(x, zero), weightsHigh));
        }
        buf += n;
        uint32_t s[4], p[4], w[4];
        _mm_storeu_si128((__m128i *)s, sums);
        _mm_storeu_si128((__m128i *)p, before);
        _mm_storeu_si128((__m128i *)w, weighted);
        uint64_t sum = (uint64_t)s[0] + s[1] + s[2] + s[3];
        uint64_t sumBefore = (uint64_t)p[0] + p[1] + p[2] + p[3];
        uint64_t sumWeighted = (uint64_t)w[0] + w[1] + w[2] + w[3];
        b = (b + n * a + 16 * sumBefore + sumWeighted) % BASE;
        a = (a + sum) % BASE;
    }
#endif
    while (len > 0) {
        size_t n = len < NMAX ? len : NMAX;
        len -= n;
        while (n--) { a += *buf++; b += a; }
        a %= BASE;
        b %= BASE;
    }
    return (uint32_t)(a | (b << 16));
}

/// The zlib stream of a rectangle of ARGB32 pixels as PNG image data: each row filter type
/// 0 and its samples as `bp_png_row` writes them (RGB when `opaque`, else RGBA), one stream
/// at `level`, `bp_png_encode` compresses a whole image with it. The rectangle must lie
/// inside the image. Returns 0 and a malloc'ed buffer (free it with `free`), or -1.
static int bp_png_deflate_rect(const unsigned char *pixels, int stride, int x0, int y0, int width, int height,
                               int opaque, int level, unsigned char **out, size_t *length) {
    *out = NULL;
    *length = 0;
    if (!pixels || x0 < 0 || y0 < 0 || width <= 0 || height <= 0) return -1;
    const size_t rowBytes = (size_t)width * (opaque ? 3 : 4) + 1;
    unsigned char *line = (unsigned char *)malloc(rowBytes);
    if (!line) return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    // A raw deflate stream in zlib's own wrapper, written here: the header zlib writes
    // (32 KiB window, its level flags, no dictionary) and the Adler-32 of the data after
    // it, computed here (`bp_adler32`) instead of by zlib, a byte at a time. The deflate
    // data itself is the same either way: the same bytes.
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) { free(line); return -1; }
    enum { CHUNK = 65536 };
    unsigned char *part = (unsigned char *)malloc(CHUNK);
    if (!part) { deflateEnd(&z); free(line); return -1; }
    bp_buffer b = { NULL, 0, 0, 0 };
    {
        unsigned header = (Z_DEFLATED + ((15 - 8) << 4)) << 8;
        int effective = level == Z_DEFAULT_COMPRESSION ? 6 : level;
        unsigned levelFlags = effective < 2 ? 0 : effective < 6 ? 1 : effective == 6 ? 2 : 3;
        header |= levelFlags << 6;
        header += 31 - (header % 31);
        unsigned char bytes[2] = { (unsigned char)(header >> 8), (unsigned char)header };
        bp_buffer_append(&b, bytes, 2);
    }
    uint32_t adler = 1;
    z.next_out = part;
    z.avail_out = CHUNK;
    int ok = 1;
    for (int y = 0; y <= height && ok; y++) {
        int flush = Z_NO_FLUSH;
        if (y < height) {
            const uint32_t *row = (const uint32_t *)(pixels + (size_t)(y0 + y) * stride) + x0;
            line[0] = 0;               // filter: none
            bp_png_row(row, width, opaque, line + 1);
            adler = bp_adler32(adler, line, rowBytes);
            z.next_in = line;
            z.avail_in = (uInt)rowBytes;
        } else {
            z.next_in = NULL;
            z.avail_in = 0;
            flush = Z_FINISH;
        }
        for (;;) {
            int rc = deflate(&z, flush);
            if (rc == Z_STREAM_ERROR) { ok = 0; break; }
            if (z.avail_out == 0) {
                bp_buffer_append(&b, part, CHUNK);
                z.next_out = part;
                z.avail_out = CHUNK;
                continue;
            }
            if (flush == Z_FINISH ? rc == Z_STREAM_END : z.avail_in == 0) break;
        }
    }
    if (ok && z.avail_out < CHUNK) bp_buffer_append(&b, part, CHUNK - z.avail_out);
    if (ok) {
        unsigned char trailer[4];
        bp_put32(trailer, adler);
        bp_buffer_append(&b, trailer, 4);
    }
    deflateEnd(&z);
    free(part);
    free(line);
    if (!ok || b.failed) { free(b.data); return -1; }
    *out = b.data;
    *length = b.length;
    return 0;
}

/// Encodes an ARGB32 image surface as PNG: 8-bit RGB when every pixel is opaque,
/// else RGBA un-premultiplied exactly as cairo's own PNG writer does it (with its
/// white bKGD); filter type 0 on every row, one zlib stream at `level`, IDAT chunks
/// of 64 KiB, and a pHYs chunk for `dpi` (none when dpi <= 0). Deterministic for a
/// given zlib. Returns 0 and a malloc'ed buffer (free it with `free`), or -1.
static int bp_png_encode(cairo_surface_t *surface, int level, double dpi, unsigned char **out, size_t *length) {
    *out = NULL;
    *length = 0;
    if (!surface || cairo_surface_get_type(surface) != CAIRO_SURFACE_TYPE_IMAGE) return -1;
    if (cairo_image_surface_get_format(surface) != CAIRO_FORMAT_ARGB32) return -1;
    cairo_surface_flush(surface);
    const int width = cairo_image_surface_get_width(surface);
    const int height = cairo_image_surface_get_height(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *pixels = cairo_image_surface_get_data(surface);
    if (width <= 0 || height <= 0 || !pixels) return -1;

    const int opaque = bp_pixels_opaque(pixels, stride, width, height);
    bp_buffer b = { NULL, 0, 0, 0 };
    static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    bp_buffer_append(&b, signature, 8);
    unsigned char ihdr[13];
    bp_put32(ihdr, (uint32_t)width);
    bp_put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;                       // bit depth
    ihdr[9] = opaque ? 2 : 6;          // RGB or RGBA
    ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
    bp_png_chunk(&b, "IHDR", ihdr, 13);
    if (!opaque) {
        static const unsigned char white[6] = { 0, 0xff, 0, 0xff, 0, 0xff };
        bp_png_chunk(&b, "bKGD", white, 6);
    }
    if (dpi > 0) {
        unsigned char phys[9];
        uint32_t perMetre = (uint32_t)(dpi / 0.0254 + 0.5);
        bp_put32(phys, perMetre);
        bp_put32(phys + 4, perMetre);
        phys[8] = 1;                   // unit: metre
        bp_png_chunk(&b, "pHYs", phys, 9);
    }

    // The image data: one zlib stream (the same as an APNG frame's), in IDAT chunks of 64 KiB.
    unsigned char *stream = NULL;
    size_t streamLength = 0;
    if (bp_png_deflate_rect(pixels, stride, 0, 0, width, height, opaque, level, &stream, &streamLength) != 0) { free(b.data); return -1; }
    enum { CHUNK = 65536 };
    for (size_t at = 0; at < streamLength; at += CHUNK) {
        size_t n = streamLength - at < CHUNK ? streamLength - at : CHUNK;
        bp_png_chunk(&b, "IDAT", stream + at, (uint32_t)n);
    }
    free(stream);
    bp_png_chunk(&b, "IEND", NULL, 0);
    if (b.failed) { free(b.data); return -1; }
    *out = b.data;
    *length = b.length;
    return 0;
}

// --- animated PNG (APNG) pieces: the chunks are assembled in Swift (APNG.swift)

/// The CRC-32 of a PNG chunk: over its 4-byte type and then its data.
static inline uint32_t bp_png_crc(const unsigned char *type, const unsigned char *data, size_t n) {
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    while (n > 0) {                    // crc32 takes a uInt length
        uInt part = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = crc32(crc, data, part);
        data += part;
        n -= part;
    }
    return (uint32_t)crc;
}

/// The smallest rectangle holding every pixel that differs between two ARGB32 images of
/// the same size: 1 and `box` = { x, y, width, height }, or 0 when they are identical.
static inline int bp_pixels_changed_box(const unsigned char *a, int strideA, const unsigned char *b, int strideB,
                                        int width, int height, int box[4]) {
    int minX = width, minY = height, maxX = -1, maxY = -1;
    for (int y = 0; y < height; y++) {
        const uint32_t *ra = (const uint32_t *)(a + (size_t)y * strideA);
        const uint32_t *rb = (const uint32_t *)(b + (size_t)y * strideB);
        if (memcmp(ra, rb, (size_t)width * 4) == 0) continue;
        int first = 0, last = width - 1;
        while (ra[first] == rb[first]) first++;
        while (ra[last] == rb[last]) last--;
        if (first < minX) minX = first;
        if (last > maxX) maxX = last;
        if (minY > y) minY = y;
        maxY = y;
    }
    if (maxY < 0) return 0;
    box[0] = minX; box[1] = minY; box[2] = maxX - minX + 1; box[3] = maxY - minY + 1;
    return 1;
}


#endif
