/// Graphviz's SVG renderer wraps a node with a `tooltip` in a link group
/// (`<g id="a_node1"><a xlink:title="…">` around its ellipse and text). Styles, scripts and
/// tools that read Graphviz's SVG expect a node's shapes as children of its
/// `<g class="node">` (`g.node > ellipse`), so bpgraph unwraps them and gives the node its
/// tooltip as the group's `<title>` (what a browser shows on hover), which then starts
/// with the node's id as before (`x: input`, then its value and gradient). Edges keep
/// Graphviz's link groups: their labels stay outside them, as Graphviz writes them.
enum NodeTooltips {
    static func unwrap(_ svg: [UInt8]) -> [UInt8] {
        let text = String(decoding: svg, as: UTF8.self)
        let open = "\" class=\"node\">\n<title>"
        guard text.contains(open) else { return svg }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let head = rest.range(of: open) {
            // `<g id="ID" class="node">\n<title>NAME</title>\n<g id="a_ID"><a xlink:title="TIP">\nBODY</a>\n</g>\n`
            guard let idStart = rest[..<head.lowerBound].range(of: "<g id=\"", options: .backwards),
                  let titleEnd = rest[head.upperBound...].range(of: "</title>\n") else { break }
            let id = rest[idStart.upperBound..<head.lowerBound]
            let link = "<g id=\"a_\(id)\"><a xlink:title=\""
            let afterTitle = rest[titleEnd.upperBound...]
            guard afterTitle.hasPrefix(link),
                  let tipEnd = afterTitle.range(of: "\">\n"),
                  let bodyEnd = afterTitle[tipEnd.upperBound...].range(of: "</a>\n</g>\n") else {
                out += rest[..<titleEnd.upperBound]
                rest = rest[titleEnd.upperBound...]
                continue
            }
            let tip = afterTitle[afterTitle.index(afterTitle.startIndex, offsetBy: link.count)..<tipEnd.lowerBound]
            out += rest[..<head.upperBound]
            out += tip
            out += "</title>\n"
            out += afterTitle[tipEnd.upperBound..<bodyEnd.lowerBound]
            rest = afterTitle[bodyEnd.upperBound...]
        }
        out += rest
        return Array(out.utf8)
    }
}
