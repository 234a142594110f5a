import BPGraph
import BPGraphRender
import Foundation
import Testing

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let templates = root.appendingPathComponent("Templates")

    static var templateFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: templates.path)) ?? []
        return names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".yaml") }.sorted().map { templates.appendingPathComponent($0) }
    }

    static func evaluate(_ text: String, file: String = "test.json") throws -> EvaluatedGraph {
        try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: file, format: SpecFormat.from(fileName: file))))
    }

    static func evaluate(_ url: URL) throws -> EvaluatedGraph {
        try evaluate(String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent)
    }

    /// The figure of an evaluated graph, through the library's one pipeline (`Figure`).
    static func svg(_ evaluated: EvaluatedGraph, _ options: FigureOptions = FigureOptions()) throws -> String {
        let figure = try Figure(graph: evaluated.graph, name: evaluated.graph.file, settings: FigureSettings(options: options, format: .svg))
        return String(decoding: try figure.bytes(), as: UTF8.self)
    }

    /// Spec text to a figure in `format`, as `bpgraph render` makes it.
    static func figure(_ text: String, format: OutputFormat, dpi: Double = 144, options: FigureOptions = FigureOptions()) throws -> Figure {
        try Figure(text: text, file: "test.json", settings: FigureSettings(options: options, format: format, dpi: dpi))
    }

    static let sigmoid = """
        { "title": "Sigmoid", "nodes": [
            { "id": "x", "value": 0.5 },
            { "id": "a", "op": "mul", "in": ["x", -1] },
            { "id": "b", "op": "exp", "in": ["a"] },
            { "id": "c", "op": "add", "in": ["b", 1] },
            { "id": "y", "op": "reciprocal", "in": ["c"], "label": "/" } ],
          "output": "y" }
        """
}

/// Geometry problems of one rendered SVG figure: each value text must lie above its
/// edge's path and each gradient text below it; no text may overlap another text or
/// a node.
/// Top to bottom, the value sits left of its edge and the gradient right of it.
func geometryProblems(_ svg: String, gradientColor: String = "#d62728", topToBottom: Bool = false) -> [String] {
    let figure = SVGFigure(svg)
    var problems: [String] = []
    var allTexts: [(owner: String, text: SVGFigure.Text)] = figure.otherTexts.map { ("graph", $0) }
    for edge in figure.edges {
        guard let path = edge.paths.first, !path.isEmpty else {
            problems.append("\(edge.title): no path"); continue
        }
        for text in edge.texts {
            allTexts.append((edge.title, text))
            let box = text.box
            if topToBottom {
                guard let (left, right) = SVGFigure.xRange(path, from: box.minY, to: box.maxY) else {
                    problems.append("\(edge.title): \"\(text.content)\" is beside no part of its edge"); continue
                }
                if text.fill == gradientColor {
                    if box.minX < right - 0.5 { problems.append("\(edge.title): gradient \"\(text.content)\" is not right of its edge") }
                } else if box.maxX > left + 0.5 {
                    problems.append("\(edge.title): value \"\(text.content)\" is not left of its edge")
                }
                for node in figure.nodeShapes where box.overlaps(node.box) {
                    problems.append("\(edge.title): \"\(text.content)\" overlaps node \(node.title)")
                }
                continue
            }
            guard let (top, bottom) = SVGFigure.yRange(path, from: box.minX, to: box.maxX) else {
                problems.append("\(edge.title): \"\(text.content)\" is beside no part of its edge"); continue
            }
            if text.fill == gradientColor {
                if box.minY < bottom - 0.5 { problems.append("\(edge.title): gradient \"\(text.content)\" is not below its edge (text top \(box.minY), edge bottom \(bottom))") }
            } else {
                if box.maxY > top + 0.5 { problems.append("\(edge.title): value \"\(text.content)\" is not above its edge (text bottom \(box.maxY), edge top \(top))") }
            }
            for node in figure.nodeShapes where box.overlaps(node.box) {
                problems.append("\(edge.title): \"\(text.content)\" overlaps node \(node.title)")
            }
        }
    }
    for i in 0..<allTexts.count {
        for j in (i + 1)..<allTexts.count where allTexts[i].text.box.overlaps(allTexts[j].text.box) {
            problems.append("\"\(allTexts[i].text.content)\" (\(allTexts[i].owner)) overlaps \"\(allTexts[j].text.content)\" (\(allTexts[j].owner))")
        }
    }
    return problems
}

