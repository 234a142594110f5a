// `bpgraph-bench animation`: what step frames and animations cost, in process (issue 10:
// a 40-step animation should cost little more than one figure's layout plus drawing each
// frame). For each figure: one still (layout + one drawing) against all its frames from
// one layout, the drawing time per extra frame, frames per second, and the bytes per
// frame of the APNG and the animated SVG (against a still PNG or SVG).
import BPGraph
import BPGraphRender
import Foundation

func animationBenchmark(runs: Int, templates: String) throws {
    print("step animations, in process (median of \(runs)): one layout, then every frame drawn from it")
    print("figure                        frames   still PNG   all frames PNG  per extra frame   fps    APNG enc   APNG B/frame (still PNG)   SVG frames  +combine  SVG B/frame (still SVG)")
    for name in ["08-sigmoid.json", "16-neuron.json", "14-cs231n-neuron.json", "15-micrograd.json"] {
        let text = try String(contentsOfFile: templates + "/" + name, encoding: .utf8)
        let evaluated = try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: name)))
        let options = FigureOptions()
        let figure = DOTWriter(options: options).plan(evaluated)
        let steps = StepPlan(evaluated, options: options).steps
        let style = StepStyle(theme: options.theme)
        var still: [Double] = [], frames: [Double] = [], apng: [Double] = [], svgFrames: [Double] = [], combine: [Double] = []
        var apngBytes = 0, svgBytes = 0, stillPNG = 0, stillSVG = 0
        for _ in 0..<runs {
            let t0 = now()
            let plain = try Renderer.shared.draw(plan: figure, format: .png)
            let t1 = now()
            let drawings = try Renderer.shared.drawSteps(plan: figure, steps: steps, style: style, format: .png)
            let t2 = now()
            let animated = try APNGEncoder.encode(frames: drawings, delaysMs: try APNGEncoder.delays(count: drawings.count, frameMs: 900))
            let t3 = now()
            let svgs = try Renderer.shared.drawSteps(plan: figure, steps: steps, style: style, format: .svg).map { try $0.encoded() }
            let t4 = now()
            let combined = try AnimatedSVG.combine(frames: svgs, frameMs: 900)
            let t5 = now()
            still.append(t1 - t0); frames.append(t2 - t1); apng.append(t3 - t2); svgFrames.append(t4 - t3); combine.append(t5 - t4)
            apngBytes = animated.count; svgBytes = combined.count
            stillPNG = try plain.encoded().count
            stillSVG = try Renderer.shared.render(plan: figure, format: .svg).count
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] * 1000 }
        let n = steps.count
        let perFrame = (median(frames) - median(still)) / Double(max(n - 1, 1))
        let fps = Double(n) / ((median(frames) + median(apng)) / 1000)
        print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
              + String(format: " %6d  %8.1f ms  %11.1f ms  %12.2f ms  %6.0f  %8.1f ms  %10d (%6d)  %14.1f ms %7.1f ms  %9d (%6d)",
                       n, median(still), median(frames), perFrame, fps, median(apng), apngBytes / n, stillPNG,
                       median(svgFrames), median(combine), svgBytes / n, stillSVG))
    }
    print("(fps: frames drawn and APNG-encoded per second; per extra frame: (all frames − one still) / (frames − 1))")
}
