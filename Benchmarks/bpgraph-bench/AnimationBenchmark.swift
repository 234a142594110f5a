// `bpgraph-bench animation [--runs N] [TEMPLATE…]`: the two animation encoders alone
// (APNGEncoder.encode(frames:delaysMs:) and AnimatedSVG.combine(frames:frameMs:)), on
// frames of a template drawn from one DOT with one op node highlighted per frame, as a
// step-by-step animation changes a node or two per step. Drawing the frames is not timed;
// end-to-end rows (`render --steps --animate`) belong with the steps feature.
import BPGraph
import BPGraphRender
import Foundation

struct AnimationBenchmark {
    var runs: Int
    let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Templates").path

    /// The template's DOT, then one frame per op node with that node filled: frame k
    /// differs from frame k − 1 in two nodes.
    func frames(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: templates + "/" + name, encoding: .utf8)
        let dot = try DOTWriter().write(EvaluatedGraph(Graph(SpecDecoder.decode(text, file: name))))
        var lines = dot.components(separatedBy: "\n")
        // Op nodes: `  "id" [label=…]` lines that are not edges and not plaintext inputs or constants.
        let ops = lines.indices.filter { i in
            let line = lines[i]
            return line.hasPrefix("  \"") && !line.contains(" -> ") && line.contains(" [label=") && !line.contains("shape=")
        }
        guard !ops.isEmpty else { throw BenchError("\(name): no op nodes in its DOT") }
        var result = [dot]
        for i in ops {
            var copy = lines
            copy[i] = copy[i].replacingOccurrences(of: " [label=", with: " [fillcolor=\"#ffd27f\", label=")
            result.append(copy.joined(separator: "\n"))
        }
        lines.removeAll()
        return result
    }

    func run(templates names: [String]) throws {
        print("animation encoders (release build, median of \(runs) runs; frames drawn once, not timed)")
        print("one frame per op node highlighted, after the plain figure; delays 900 ms, the last 2700 ms")
        print("template                            frames  size px      APNG: ms/frame  KB/frame (stills KB/frame)   SVG: ms/frame  KB/frame (frames KB/frame)")
        for name in names {
            let dots = try frames(name)
            let drawings = try dots.map { try Renderer.shared.draw(dot: $0, format: .png) }
            let svgs = try dots.map { try Renderer.shared.render(dot: $0, format: .svg) }
            let stillBytes = try drawings.reduce(0) { $0 + (try $1.encoded().count) }
            let svgBytes = svgs.reduce(0) { $0 + $1.count }
            let delays = try APNGEncoder.delays(count: drawings.count, frameMs: 900)
            var apngTimes: [Double] = [], svgTimes: [Double] = []
            var apng: [UInt8] = [], animated: [UInt8] = []
            for _ in 0..<runs {
                let t0 = now()
                apng = try APNGEncoder.encode(frames: drawings, delaysMs: delays)
                let t1 = now()
                animated = try AnimatedSVG.combine(frames: svgs, frameMs: 900)
                let t2 = now()
                apngTimes.append(t1 - t0)
                svgTimes.append(t2 - t1)
            }
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
            let n = Double(dots.count)
            let size = drawings[0].pixelSize.map { "\($0.width)×\($0.height)" } ?? "?"
            print(name.padding(toLength: 36, withPad: " ", startingAt: 0)
                  + String(format: "%6d  %-11@  %14.2f  %8.1f (%6.1f)              %13.2f  %8.1f (%6.1f)",
                           dots.count, size as NSString,
                           1000 * median(apngTimes) / n, Double(apng.count) / 1024 / n, Double(stillBytes) / 1024 / n,
                           1000 * median(svgTimes) / n, Double(animated.count) / 1024 / n, Double(svgBytes) / 1024 / n))
        }
    }
}
