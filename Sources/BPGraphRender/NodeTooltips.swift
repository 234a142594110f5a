/// Graphviz's SVG renderer wraps a node with a `tooltip` in a link group
/// (`<g id="a_node1"><a xlink:title="…">` around its ellipse and text). Styles, scripts and
/// tools that read Graphviz's SVG expect a node's shapes as children of its
/// `<g class="node">` (`g.node > ellipse`), so bpgraph unwraps them and gives the node its
/// tooltip as the group's `<title>` (what a browser shows on hover), which then starts
/// with the node's id as before (`x: input`, then its value and gradient). Edges keep
/// Graphviz's link groups: their labels stay outside them, as Graphviz writes them.
enum NodeTooltips {
    private static let open = Array("\" class=\"node\">\n<title>".utf8)
    private static let groupStart = Array("<g id=\"".utf8)
    private static let titleEnd = Array("</title>\n".utf8)
    private static let linkStart = Array("<g id=\"a_".utf8)
    private static let linkTitle = Array("\"><a xlink:title=\"".utf8)
    private static let tipEnd = Array("\">\n".utf8)
    private static let linkEnd = Array("</a>\n</g>\n".utf8)

    /// `<g id="ID" class="node">\n<title>NAME</title>\n<g id="a_ID"><a xlink:title="TIP">\nBODY</a>\n</g>\n`
    /// becomes `<g id="ID" class="node">\n<title>TIP</title>\nBODY`. One pass over the bytes.
    static func unwrap(_ svg: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(svg.count)
        var copied = 0, at = 0
        while let head = find(open, in: svg, from: at) {
            at = head + open.count
            // The group's id: back from `" class="node">` to the `<g id="` on its line.
            var idStart = head
            while idStart > 0, svg[idStart - 1] != UInt8(ascii: "\"") { idStart -= 1 }
            guard idStart >= groupStart.count, Array(svg[(idStart - groupStart.count)..<idStart]) == groupStart,
                  let nameEnd = find(titleEnd, in: svg, from: at) else { continue }
            let id = svg[idStart..<head]
            var p = nameEnd + titleEnd.count
            guard starts(linkStart, in: svg, at: p), starts(Array(id), in: svg, at: p + linkStart.count),
                  starts(linkTitle, in: svg, at: p + linkStart.count + id.count) else { continue }
            p += linkStart.count + id.count + linkTitle.count
            guard let tip = find(tipEnd, in: svg, from: p), let end = find(linkEnd, in: svg, from: tip) else { continue }
            out += svg[copied..<at]                       // … <title>
            out += svg[p..<tip]                           // TIP
            out += titleEnd                               // </title>\n
            out += svg[(tip + tipEnd.count)..<end]        // BODY
            copied = end + linkEnd.count
            at = copied
        }
        if copied == 0 { return svg }
        out += svg[copied...]
        return out
    }

    private static func starts(_ needle: [UInt8], in bytes: [UInt8], at i: Int) -> Bool {
        guard i + needle.count <= bytes.count else { return false }
        for k in needle.indices where bytes[i + k] != needle[k] { return false }
        return true
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= bytes.count else { return nil }
        var i = start
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first, starts(needle, in: bytes, at: i) { return i }
            i += 1
        }
        return nil
    }
}
