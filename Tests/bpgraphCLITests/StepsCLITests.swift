import Foundation
import Testing

/// `render --steps` and `render --animate`, run as a user runs them.
@Suite("render --steps and --animate")
struct StepsCLITests {
    /// The sigmoid: 7 nodes (x, −1, ×, exp, 1, +, /) and 6 edges → 7 + 6 + 2 frames.
    static let sigmoidFrames = 15

    @Test("--steps -o DIR writes NAME-000 … in step order; a rerun with fewer frames or another format leaves no stale frame")
    func stepsDirectory() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec, "frames/sigmoid-099.png": "stale", "frames/other-000.png": "not ours"])
        let run = try bpgraph(["render", "sigmoid.json", "--steps", "-o", "frames"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("frames").path).sorted()
        let expected = (0..<Self.sigmoidFrames).map { String(format: "sigmoid-%03d.png", $0) }
        #expect(names == (["other-000.png"] + expected).sorted())
        // SVG frames replace the PNG ones; the same bytes on a rerun.
        let svg = try bpgraph(["render", "sigmoid.json", "--steps", "-o", "frames", "--format", "svg"], in: dir)
        #expect(svg.status == 0, "\(svg.stderr)")
        let first = try Data(contentsOf: dir.appendingPathComponent("frames/sigmoid-007.svg"))
        _ = try bpgraph(["render", "sigmoid.json", "--steps", "-o", "frames", "--format", "svg"], in: dir)
        #expect(try Data(contentsOf: dir.appendingPathComponent("frames/sigmoid-007.svg")) == first)
        let svgNames = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("frames").path).sorted()
        #expect(svgNames == (["other-000.png"] + expected.map { $0.replacingOccurrences(of: ".png", with: ".svg") }).sorted())
        // The caption of step 8 (the seed) is in its frame.
        let seed = try String(contentsOf: dir.appendingPathComponent("frames/sigmoid-007.svg"), encoding: .utf8)
        #expect(seed.contains("seed: ∂L/∂y = 1"))
    }

    @Test("--steps with a bad spec: one line, exit 1, and the spec's old frames are gone (nothing half-written)")
    func stepsBadSpec() throws {
        let dir = try scratch(["bad.json": #"{"nodes": [{"id": "x", "value": 1}, {"id": "y", "op": "expp", "in": ["x"]}], "output": "y"}"#,
                               "frames/bad-000.png": "stale", "frames/bad-001.svg": "stale", "frames/keep.png": "not ours"])
        let run = try bpgraph(["render", "bad.json", "--steps", "-o", "frames"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "bad.json: nodes[1] \"y\": unknown op \"expp\" (did you mean \"exp\"?)\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("frames").path)
        #expect(names == ["keep.png"])
    }

    @Test("usage errors: --steps into a file, --frame-ms without --animate, --animate to PDF, both at once")
    func usage() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        let file = try bpgraph(["render", "sigmoid.json", "--steps", "-o", "s.png"], in: dir)
        #expect(file.status == 2 && file.stderr == "bpgraph render: -o s.png: --steps writes one file per step into a directory, not into one .png file\n")
        let ms = try bpgraph(["render", "sigmoid.json", "--frame-ms", "500", "-o", "s.svg"], in: dir)
        #expect(ms.status == 2 && ms.stderr.contains("--frame-ms is for --animate"))
        let pdf = try bpgraph(["render", "sigmoid.json", "--animate", "-o", "s.pdf"], in: dir)
        #expect(pdf.status == 2 && pdf.stderr == "bpgraph render: -o s.pdf: --animate makes an animated .svg or .png (APNG), not pdf\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.pdf").path))
        let both = try bpgraph(["render", "sigmoid.json", "--animate", "--steps", "-o", "x"], in: dir)
        #expect(both.status == 2)
        let range = try bpgraph(["render", "sigmoid.json", "--animate", "--frame-ms", "5", "-o", "s.svg"], in: dir)
        #expect(range.status == 2 && range.stderr.contains("--frame-ms must be from 20 to 60000, got 5"))
    }

    @Test("a graph with more steps than frames allowed is refused before anything is drawn, and writes nothing")
    func tooManySteps() throws {
        // 760 nodes and 759 edges: 1,521 steps.
        let nodes = [#"{"id": "n0", "value": 0.001}"#] + (1..<760).map { #"{"id": "n\#($0)", "op": "tanh", "in": ["n\#($0 - 1)"]}"# }
        let dir = try scratch(["chain.json": #"{"nodes": ["# + nodes.joined(separator: ", ") + #"], "output": "n759"}"#])
        let run = try bpgraph(["render", "chain.json", "--steps", "-o", "frames"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "chain.json: 1521 steps (one per node and edge) is more than 1500 frames; step through a smaller graph\n")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("frames").path)) ?? []).isEmpty)
    }

    @Test("an APNG whose frames would not fit in memory is refused after its first frame: one line, exit 1, no file, no stale file")
    func apngTooLarge() throws {
        // 41 steps of a 20-node chain at 900 dpi (each frame within a PNG's 32,767 pixels a side): far more than 2 GB of pixels held at once.
        let nodes = [#"{"id": "n0", "value": 0.5}"#] + (1..<20).map { #"{"id": "n\#($0)", "op": "tanh", "in": ["n\#($0 - 1)"]}"# }
        let dir = try scratch(["chain.json": #"{"nodes": ["# + nodes.joined(separator: ", ") + #"], "output": "n19"}"#, "chain.png": "old"])
        let run = try bpgraph(["render", "chain.json", "--animate", "--dpi", "900", "-o", "chain.png"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("chain.json: an APNG of 41 frames of "), "\(run.stderr)")
        #expect(run.stderr.hasSuffix("GB of pixels while it is made; use a lower --dpi or an animated .svg\n"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("chain.png").path))
    }

    @Test("--animate: an APNG of N frames and an SVG of N frame groups, --frame-ms timing them, the same bytes on a rerun")
    func animate() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        let png = try bpgraph(["render", "sigmoid.json", "--animate", "-o", "s.png", "--frame-ms", "500"], in: dir)
        #expect(png.status == 0, "\(png.stderr)")
        let apng = [UInt8](try Data(contentsOf: dir.appendingPathComponent("s.png")))
        // acTL right after IHDR: 8 (signature) + 25 (IHDR) + 8 (length, type) → frame count.
        #expect(String(decoding: apng[37..<41], as: UTF8.self) == "acTL")
        #expect(apng[41..<45].reduce(0) { $0 << 8 | Int($1) } == Self.sigmoidFrames)
        let svg = try bpgraph(["render", "sigmoid.json", "--animate", "-o", "s.svg", "--frame-ms", "500"], in: dir)
        #expect(svg.status == 0, "\(svg.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("s.svg"), encoding: .utf8)
        #expect(text.components(separatedBy: "class=\"bpf\"").count - 1 == Self.sigmoidFrames)
        #expect(text.contains("animation: \(500 * (Self.sigmoidFrames - 1) + 1500)ms"))
        _ = try bpgraph(["render", "sigmoid.json", "--animate", "-o", "t.svg", "--frame-ms", "500"], in: dir)
        #expect(try Data(contentsOf: dir.appendingPathComponent("t.svg")) == Data(text.utf8))
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("Chromium plays the animated SVG: at the middle of each step's slot exactly that step's frame shows",
          .enabled(if: StepsCLITests.chromium != nil))
    func chromiumPlaysIt() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        let run = try bpgraph(["render", "sigmoid.json", "--animate", "-o", "s.svg"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        var svg = try String(contentsOf: dir.appendingPathComponent("s.svg"), encoding: .utf8)
        svg = String(svg[svg.range(of: "<svg")!.lowerBound...])
        let n = Self.sigmoidFrames, ms = 900
        // The last frame holds 3 × 900 ms: the cycle is (n − 1) · 900 + 2700.
        let cycle = (n - 1) * ms + 3 * ms
        let times = (0..<n).map { $0 * ms + ms / 2 } + [(n + 1) * ms, cycle + ms / 2]
        // Every CSS animation of the page paused at time t; which frame groups are visible.
        let html = """
            <html><body>\(svg)<pre id="out"></pre><script>
            const out = [];
            for (const t of [\(times.map(String.init).joined(separator: ","))]) {
              for (const a of document.getAnimations()) { a.pause(); a.currentTime = t; }
              const shown = [...document.querySelectorAll('g.bpf')].filter(g => getComputedStyle(g).visibility === 'visible').map(g => g.id);
              out.push(t + ':' + shown.join(','));
            }
            out.push('animations:' + document.getAnimations().length);
            document.getElementById('out').textContent = out.join(' ');
            </script></body></html>
            """
        let page = dir.appendingPathComponent("page.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + dir.appendingPathComponent("profile").path,
                             "--dump-dom", page.absoluteString]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let start = dom.range(of: "<pre id=\"out\">"), let end = dom[start.upperBound...].range(of: "</pre>") else {
            Issue.record("Chromium printed no result: \(dom.prefix(300))")
            return
        }
        let result = dom[start.upperBound..<end.lowerBound].split(separator: " ").map(String.init)
        var expected = (0..<n).map { "\($0 * ms + ms / 2):bpf\($0)" }
        // Inside the last frame's long hold, then the next cycle's first frame.
        expected.append("\((n + 1) * ms):bpf\(n - 1)")
        expected.append("\(times.last!):bpf0")
        expected.append("animations:\(n)")
        #expect(result == expected)
    }
}

@Suite("Markdown posts: steps and animate")
struct StepsPostCLITests {
    @Test("animate: true after an expression's values is one animated SVG; steps: true in a JSON spec is one image per step; a rerun changes nothing")
    func blocks() throws {
        let post = """
            # Steps

            ```bpgraph
            y = 1 / (1 + exp(-x))
            x = 0.5
            animate: true
            ```

            ```bpgraph
            {"expr": "L = (x + y) * z", "values": {"x": -2, "y": 5, "z": -4}, "steps": true}
            ```

            """
        let dir = try scratch(["post.md": post])
        let run = try bpgraph(["render", "post.md"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr == "post.md: 2 figures (2 rendered, 0 unchanged), 0 failed\n")
        let text = try String(contentsOf: dir.appendingPathComponent("post.md"), encoding: .utf8)
        let images = text.split(separator: "\n").filter { $0.hasPrefix("![") }
        // (x + y) · z: 5 nodes (x, y, z, +, ×) and 4 edges → 5 + 4 + 2 frames; the sigmoid: one animation.
        #expect(images.count == 1 + 11)
        let animated = String(images[0].split(separator: "(").last!.dropLast())
        let svg = try String(contentsOf: dir.appendingPathComponent(animated), encoding: .utf8)
        #expect(svg.components(separatedBy: "class=\"bpf\"").count - 1 == StepsCLITests.sigmoidFrames)
        let first = String(images[1].split(separator: "(").last!.dropLast()), last = String(images[11].split(separator: "(").last!.dropLast())
        #expect(try String(contentsOf: dir.appendingPathComponent(first), encoding: .utf8).contains("input x = −2"))
        #expect(try String(contentsOf: dir.appendingPathComponent(last), encoding: .utf8).contains("done: L = −12"))
        let again = try bpgraph(["render", "post.md"], in: dir)
        #expect(again.stderr == "post.md: 2 figures (0 rendered, 2 unchanged), 0 failed\n")
        #expect(try String(contentsOf: dir.appendingPathComponent("post.md"), encoding: .utf8) == text)
    }

    @Test("a bad setting is one line naming the post's line")
    func badSetting() throws {
        let dir = try scratch(["post.md": "```bpgraph\ny = exp(x)\nx = 1\nanimate: yes\n```\n\n```bpgraph\n{\"expr\": \"y = exp(x)\", \"values\": {\"x\": 1}, \"steps\": 1}\n```\n"])
        let run = try bpgraph(["render", "post.md"], in: dir)
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("post.md:4: animate must be true or false, got \"yes\""))
        #expect(lines.contains("post.md:7: steps: must be true or false, found a number"))
    }
}

@Suite("The gallery's animation")
struct GalleryAnimationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `bpgraph render Templates -o Output` renders the stills; the README's animated
    /// sigmoid is made by the two commands the README gives, and must be current.
    @Test("Output/08-sigmoid-animated.png and .svg are what the README's commands make now")
    func current() throws {
        let dir = try scratch([:])
        for ext in ["png", "svg"] {
            let out = dir.appendingPathComponent("a.\(ext)").path
            let run = try bpgraph(["render", Self.root.appendingPathComponent("Templates/08-sigmoid.json").path, "--animate", "-o", out])
            #expect(run.status == 0, "\(run.stderr)")
            let committed = try Data(contentsOf: Self.root.appendingPathComponent("Output/08-sigmoid-animated.\(ext)"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == committed,
                    "Output/08-sigmoid-animated.\(ext) is stale: bpgraph render Templates/08-sigmoid.json --animate -o Output/08-sigmoid-animated.\(ext)")
        }
    }
}
