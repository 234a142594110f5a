import BPGraph
import Foundation

/// Backpropagation step by step (`--steps`, `--animate`, a post's `steps:`/`animate:`):
/// every frame drawn from one layout (`Renderer.drawSteps`), with the limits checked here.
extension Figure {
    /// The default time per step of an animation.
    public static let defaultFrameMs = 900

    /// The most frames a figure is drawn in: one per node and edge, so a figure of more
    /// than about 500 nodes (unreadable as a figure anyway) is refused.
    public static let maximumFrames = 1_500

    /// The most pixel memory (bytes) an APNG may hold while it is made (every frame at once).
    public static let maximumAnimationBytes = 2e9

    /// The steps (`StepPlan`) of the figure's theme, checked against `maximumFrames`.
    public func steps() throws -> [StepPlan.Step] {
        let steps = StepPlan(evaluated, options: settings.options).steps
        guard steps.count <= Self.maximumFrames else {
            throw SpecError(Diagnostic(.limit, file: name, message: "\(steps.count) steps (one per node and edge) is more than \(Self.maximumFrames) frames; step through a smaller graph"))
        }
        return steps
    }

    /// One image per step, all drawn from one layout, in step order, each encoded as soon
    /// as it is drawn (one frame's pixels held at a time). With `--theme auto`, each frame
    /// is one SVG for light and dark pages.
    public func frames() throws -> [[UInt8]] {
        let format = settings.format
        guard format == .png || format == .svg else {
            throw SpecError(Diagnostic(.render, file: name, message: "step frames are png or svg, not \(format.rawValue)"))
        }
        guard darkPlan != nil else { return try encodedFrames() }
        guard format == .svg else {
            throw SpecError(Diagnostic(.render, file: name, message: "--theme auto makes SVG frames, not \(format.rawValue)"))
        }
        let (light, dark) = (themes[0], themes[1])
        let lightFrames = try light.encodedFrames(), darkFrames = try dark.encodedFrames()
        do { return try zip(lightFrames, darkFrames).map { try AutoTheme.merge(light: $0, dark: $1) } }
        catch { throw SpecError(Diagnostic(.render, file: name, message: "--theme auto: \(error)")) }
    }

    /// The steps as one animated SVG (CSS keyframes, no script) or APNG, `frameMs` per
    /// step and three times that on the last.
    public func animation(frameMs: Int = Figure.defaultFrameMs) throws -> [UInt8] {
        let format = settings.format
        guard format == .png || format == .svg else {
            throw SpecError(Diagnostic(.render, file: name, message: "--animate makes an animated .svg or .png (APNG), not \(format.rawValue)"))
        }
        do {
            if format == .png {
                guard darkPlan == nil else {
                    throw SpecError(Diagnostic(.render, file: name, message: "--theme auto animates SVG only; for an APNG use --theme light or dark"))
                }
                let drawings = try self.drawings()
                return try APNGEncoder.encode(frames: drawings, delaysMs: try APNGEncoder.delays(count: drawings.count, frameMs: frameMs))
            }
            guard darkPlan != nil else { return try AnimatedSVG.combine(frames: try encodedFrames(), frameMs: frameMs) }
            return try AnimatedSVG.combineThemes(light: try themes[0].encodedFrames(), dark: try themes[1].encodedFrames(), frameMs: frameMs)
        } catch let error as SpecError { throw error }
        catch { throw SpecError(Diagnostic(.render, file: name, message: "\(error)")) }
    }

    /// The step frames of this figure's one theme, each encoded as soon as it is drawn.
    private func encodedFrames() throws -> [[UInt8]] {
        let steps = try steps()
        var frames: [[UInt8]] = []
        do {
            try Renderer.shared.drawSteps(plan: plan, steps: steps, style: StepStyle(theme: settings.options.theme),
                                          format: settings.format, dpi: settings.dpi) { frames.append(try $1.encoded()) }
        } catch let error as RenderError { throw SpecError(Diagnostic(.render, file: name, message: error.message)) }
        return frames
    }

    /// The step frames of this figure's one theme, not yet encoded. The APNG encoder takes
    /// every frame's pixels at once: once the first frame shows their size, what would not
    /// fit (`maximumAnimationBytes`) is refused before the rest are drawn.
    private func drawings() throws -> [Drawing] {
        let steps = try steps()
        var drawings: [Drawing] = []
        do {
            try Renderer.shared.drawSteps(plan: plan, steps: steps, style: StepStyle(theme: settings.options.theme),
                                          format: settings.format, dpi: settings.dpi) { k, drawing in
                if k == 0, let one = drawing.pixelSize {
                    let bytes = Double(steps.count) * Double(one.width) * Double(one.height) * 4
                    if bytes > Self.maximumAnimationBytes {
                        throw SpecError(Diagnostic(.limit, file: name, message: "an APNG of \(steps.count) frames of \(one.width)×\(one.height) pixels would hold \(Int((bytes / 1e9).rounded(.up))) GB of pixels while it is made; use a lower --dpi or an animated .svg"))
                    }
                }
                drawings.append(drawing)
            }
        } catch let error as RenderError { throw SpecError(Diagnostic(.render, file: name, message: error.message)) }
        return drawings
    }
}
