import Foundation
import Testing

/// A blog post: front matter, two good blocks (an expression and a YAML node list), and a
/// broken one (an unknown op, on line 27) between them.
private let blogPost = """
    ---
    title: "역전파: Backprop by hand"
    date: 2024-05-01
    tags: [deep-learning, 계산 그래프]
    ---

    # The sigmoid node

    Trailing spaces stay.   \t
    ```bpgraph
    # the notes' sigmoid figure
    y = 1 / (1 + exp(-x))
    x = 0.5
    ```

    A product:

    ~~~bpgraph
    title: Mul
    nodes:
      - {id: a, value: 2}
      - {id: b, value: 3}
      - {id: c, op: mul, in: [a, b]}
    output: c
    ~~~

    ```bpgraph
    { "nodes": [ { "id": "x", "value": 2 },
                 { "id": "y", "op": "expp", "in": ["x"] } ],
      "output": "y" }
    ```

    ```python
    print("not a figure")
    ```
    The end.

    """

private func read(_ dir: URL, _ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
}

/// The files of a folder, without hidden ones (bpgraph's record of the figures it wrote).
private func files(_ dir: URL, _ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(folder).path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
}

/// The image links (`![…](target)`) of a post, in order.
private func links(_ text: String) -> [String] {
    text.components(separatedBy: "\n").compactMap { line in
        let line = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard line.hasPrefix("!["), line.hasSuffix(")"), let open = line.range(of: "](", options: .backwards) else { return nil }
        return String(line[open.upperBound..<line.index(before: line.endIndex)])
    }
}

@Suite("Markdown posts, expressions on render and dot, watch")
struct AuthoringCLITests {
    @Test("a post with front matter, two blocks and a broken one: rendered, reported by line, and a rerun changes nothing")
    func roundTrip() throws {
        let dir = try scratch(["post.md": blogPost])
        let first = try bpgraph(["render", "post.md", "--assets", "assets"], in: dir)
        #expect(first.status == 1)
        #expect(first.stderr == "post.md:27: nodes[1] \"y\": unknown op \"expp\" (did you mean \"exp\"?)\npost.md: 2 figures (2 rendered, 0 unchanged), 1 failed\n")
        let written = String(decoding: try read(dir, "post.md"), as: UTF8.self)
        let assets = files(dir, "assets")
        #expect(assets.count == 2)
        #expect(assets.allSatisfy { $0.hasPrefix("bpgraph-") && $0.hasSuffix(".svg") && $0.count == "bpgraph-0123456789ab.svg".count })
        // Exactly two lines were added, each right after its block; everything else is the original.
        var expected = blogPost.components(separatedBy: "\n")
        let got = written.components(separatedBy: "\n")
        #expect(got.count == expected.count + 2)
        #expect(got[14].hasPrefix("![y = 1 / (1 + exp(-x))](assets/bpgraph-"))
        #expect(got[26].hasPrefix("![Mul](assets/bpgraph-"))
        expected.insert(got[14], at: 14)
        expected.insert(got[26], at: 26)
        #expect(got == expected)
        #expect(Set(links(written).map { String($0.dropFirst("assets/".count)) }) == Set(assets))
        // The SVGs are real figures.
        let svg = String(decoding: try read(dir.appendingPathComponent("assets"), assets[0]), as: UTF8.self)
        #expect(svg.contains("<svg") && svg.contains("class=\"edge\""))

        // Twice: the same post, byte for byte, and the same assets (the broken block is reported again, by its new line).
        let before = try read(dir, "post.md")
        let second = try bpgraph(["render", "post.md", "--assets", "assets"], in: dir)
        #expect(second.status == 1)
        #expect(second.stderr == "post.md:29: nodes[1] \"y\": unknown op \"expp\" (did you mean \"exp\"?)\npost.md: 2 figures (0 rendered, 2 unchanged), 1 failed\n")
        #expect(try read(dir, "post.md") == before)
        #expect(files(dir, "assets") == assets)

        // Fixing the block renders it too, and the other two keep their images.
        let fixed = String(decoding: before, as: UTF8.self).replacingOccurrences(of: "\"expp\"", with: "\"exp\"")
        try Data(fixed.utf8).write(to: dir.appendingPathComponent("post.md"))
        let third = try bpgraph(["render", "post.md", "--assets", "assets"], in: dir)
        #expect(third.status == 0, "\(third.stderr)")
        let final = String(decoding: try read(dir, "post.md"), as: UTF8.self)
        #expect(links(final).count == 3)
        #expect(Array(links(final).prefix(2)) == links(written))
        #expect(files(dir, "assets").count == 3)
    }

    @Test("-o in another folder: links are relative to the written post, the source is untouched; --replace reruns in place")
    func replaceElsewhere() throws {
        let dir = try scratch(["src/post.md": blogPost.replacingOccurrences(of: "\"expp\"", with: "\"exp\"")])
        let run = try bpgraph(["render", "src/post.md", "--assets", "site/img", "-o", "site/posts/post.md", "--replace", "--format", "png"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try read(dir, "src/post.md") == Array(blogPost.replacingOccurrences(of: "\"expp\"", with: "\"exp\"").utf8))
        let written = String(decoding: try read(dir, "site/posts/post.md"), as: UTF8.self)
        let targets = links(written)
        #expect(targets.count == 3)
        for target in targets {
            #expect(target.hasPrefix("../img/bpgraph-") && target.hasSuffix(".png"))
            let file = dir.appendingPathComponent("site/posts").appendingPathComponent(target).standardizedFileURL
            let bytes = try Data(contentsOf: file)
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
        // The fences are gone; each spec sits in a comment, followed by its image.
        #expect(!written.contains("```bpgraph") && !written.contains("~~~bpgraph"))
        #expect(written.contains("<!-- bpgraph\n# the notes' sigmoid figure\ny = 1 / (1 + exp(-x))\nx = 0.5\n-->\n![y = 1 / (1 + exp(-x))](../img/bpgraph-"))
        #expect(written.contains("```python\nprint(\"not a figure\")\n```"))
        #expect(written.hasPrefix("---\ntitle: \"역전파: Backprop by hand\"\ndate: 2024-05-01\ntags: [deep-learning, 계산 그래프]\n---\n"))

        // Rerun on the written post, in place: nothing changes, no new assets.
        let assets = files(dir, "site/img")
        #expect(assets.count == 3)
        let again = try bpgraph(["render", "site/posts/post.md", "--assets", "site/img", "--replace", "--format", "png"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(String(decoding: try read(dir, "site/posts/post.md"), as: UTF8.self) == written)
        #expect(files(dir, "site/img") == assets)
        // Without --replace the comments stay comments and keep their images.
        let plain = try bpgraph(["render", "site/posts/post.md", "--assets", "site/img", "--format", "png"], in: dir)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(String(decoding: try read(dir, "site/posts/post.md"), as: UTF8.self) == written)
        // Without --assets the images go beside the written post.
        let beside = try bpgraph(["render", "src/post.md", "-o", "out/p.md"], in: dir)
        #expect(beside.status == 0, "\(beside.stderr)")
        let besideLinks = links(String(decoding: try read(dir, "out/p.md"), as: UTF8.self))
        #expect(besideLinks.count == 3 && besideLinks.allSatisfy { !$0.contains("/") && $0.hasSuffix(".svg") })
        #expect(files(dir, "out").filter { $0.hasSuffix(".svg") }.count == 3)
    }

    @Test("a CRLF post keeps its CRLF line ends and every other byte")
    func crlf() throws {
        let text = blogPost.replacingOccurrences(of: "\n", with: "\r\n")
        let dir = try scratch(["post.md": text])
        let run = try bpgraph(["render", "post.md", "--assets", "a"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("post.md:27: "))
        let written = try read(dir, "post.md")
        let lines = String(decoding: written, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.contains("\n") })  // no bare LF anywhere
        var original = text.components(separatedBy: "\r\n")
        original.insert(lines[14], at: 14)
        original.insert(lines[26], at: 26)
        #expect(lines == original)
        let again = try bpgraph(["render", "post.md", "--assets", "a"], in: dir)
        #expect(again.status == 1)
        #expect(try read(dir, "post.md") == written)
        // The same blocks in LF and CRLF posts name the same images.
        let lf = try scratch(["post.md": blogPost])
        _ = try bpgraph(["render", "post.md", "--assets", "a"], in: lf)
        #expect(files(lf, "a") == files(dir, "a"))
    }

    @Test("post mistakes are usage errors or one line each")
    func postMistakes() throws {
        let dir = try scratch(["post.md": "```bpgraph\ny = exp(x)\nx = 1\n```\n", "s.json": sigmoidSpec,
                               "open.md": "Intro\n```bpgraph\ny = exp(x)\n"])
        let mixed = try bpgraph(["render", "post.md", "s.json", "-o", "out"], in: dir)
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("render Markdown posts and spec files in separate commands"))
        let dot = try bpgraph(["render", "post.md", "--format", "dot"], in: dir)
        #expect(dot.status == 2)
        let assetsForSpec = try bpgraph(["render", "s.json", "--assets", "x"], in: dir)
        #expect(assetsForSpec.status == 2)
        let unclosed = try bpgraph(["render", "open.md"], in: dir)
        #expect(unclosed.status == 1)
        #expect(unclosed.stderr == "open.md:2: the ```bpgraph block is never closed (add a line ``` after the spec)\nopen.md: 0 figures (0 rendered, 0 unchanged), 1 failed\n")
        #expect(try read(dir, "open.md") == Array("Intro\n```bpgraph\ny = exp(x)\n".utf8))
        let missing = try bpgraph(["render", "nope.md"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr == "nope.md: no such file\n")
        // Standard output: the post with links relative to the current folder.
        let stdout = try bpgraph(["render", "post.md", "-o", "-", "--assets", "fig"], in: dir)
        #expect(stdout.status == 0)
        #expect(stdout.stdout.hasPrefix("```bpgraph\ny = exp(x)\nx = 1\n```\n![y = exp(x)](fig/bpgraph-"))
        #expect(try read(dir, "post.md") == Array("```bpgraph\ny = exp(x)\nx = 1\n```\n".utf8))
    }

    @Test("render -e and dot -e give the same bytes as the equivalent node-list spec")
    func expressions() throws {
        let nodes = """
            { "nodes": [ { "id": "x", "value": -2, "name": "x" }, { "id": "y", "value": 5, "name": "y" },
                         { "id": "z", "value": -4, "name": "z" },
                         { "id": "a", "op": "add", "in": ["x", "y"] }, { "id": "L", "op": "mul", "in": ["a", "z"] } ],
              "output": "L" }
            """
        let dir = try scratch(["nodes.json": nodes])
        let expr = ["-e", "L = (x + y) * z", "--value", "x=-2", "--value", "y=5", "--value", "z=-4"]
        for ext in ["dot", "svg"] {
            let a = try bpgraph(["render"] + expr + ["-o", "e.\(ext)"], in: dir)
            let b = try bpgraph(["render", "nodes.json", "-o", "n.\(ext)"], in: dir)
            #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
            #expect(try read(dir, "e.\(ext)") == read(dir, "n.\(ext)"), "\(ext)")
        }
        #expect(String(decoding: try read(dir, "e.dot"), as: UTF8.self).contains("\"a\" -> \"L\""))
        let dot = try bpgraph(["dot"] + expr, in: dir)
        #expect(dot.status == 0)
        #expect(Array(dot.stdout.utf8) == (try read(dir, "n.dot")))
        // Without -o the figure is figure.png.
        let png = try bpgraph(["render"] + expr, in: dir)
        #expect(png.status == 0, "\(png.stderr)")
        #expect(try read(dir, "figure.png").starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // Mistakes: one line naming the command line and the place; usage errors exit 2.
        let bad = try bpgraph(["render", "-e", "L = (x + y) * z", "--value", "x=-2", "--value", "y=5", "-o", "bad.svg"], in: dir)
        #expect(bad.status == 1)
        #expect(bad.stderr == "<command line>: --value: missing a value for \"z\"\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.svg").path))
        let both = try bpgraph(["render", "nodes.json"] + expr, in: dir)
        #expect(both.status == 2)
        #expect(both.stderr.contains("give a spec file or --expr, not both"))
        let none = try bpgraph(["dot"], in: dir)
        #expect(none.status == 2)
    }

    @Test("watch renders, renders again after a change, reports errors and goes on, and stops on Ctrl-C")
    func watch() throws {
        let dir = try scratch(["s.json": sigmoidSpec])
        let (process, outURL) = try launchWatch(["s.json", "-o", "s.svg", "--interval", "50"], in: dir)
        let errURL = dir.appendingPathComponent("watch.err")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func log(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        func renders() -> Int { log(outURL).components(separatedBy: " rendered s.json → s.svg").count - 1 }
        /// Waits up to 10 s for a condition.
        func eventually(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if condition() { return true }
                usleep(20_000)
            }
            return condition()
        }
        let svgURL = dir.appendingPathComponent("s.svg")
        #expect(eventually { renders() == 1 }, "\(log(outURL))\(log(errURL))")
        #expect(String(decoding: try Data(contentsOf: svgURL), as: UTF8.self).contains(">0.5<"))

        // A change: rendered again, with the new value.
        try Data(sigmoidSpec.replacingOccurrences(of: "\"value\": 0.5", with: "\"value\": 0.25").utf8).write(to: dir.appendingPathComponent("s.json"))
        #expect(eventually { renders() == 2 }, "\(log(outURL))\(log(errURL))")
        #expect(String(decoding: try Data(contentsOf: svgURL), as: UTF8.self).contains(">0.25<"))

        // A broken spec: the error is shown, watching goes on.
        try Data("{ \"nodes\": [".utf8).write(to: dir.appendingPathComponent("s.json"))
        #expect(eventually { log(errURL).contains("s.json:1:13: invalid JSON") }, "\(log(errURL))")
        #expect(eventually { log(outURL).contains("1 problem; still watching") })
        #expect(process.isRunning)

        // Fixed: rendered again.
        try Data(sigmoidSpec.utf8).write(to: dir.appendingPathComponent("s.json"))
        #expect(eventually { renders() == 3 }, "\(log(outURL))\(log(errURL))")
        #expect(String(decoding: try Data(contentsOf: svgURL), as: UTF8.self).contains(">0.5<"))

        // Ctrl-C: a clean stop, exit 0.
        process.interrupt()
        #expect(eventually { !process.isRunning })
        if !process.isRunning {
            #expect(process.terminationStatus == 0)
            #expect(log(outURL).hasSuffix("stopped watching\n"))
        }
    }

    @Test("watch on a post rewrites it in place once and does not loop on its own write")
    func watchPost() throws {
        let dir = try scratch(["post.md": "# P\n\n```bpgraph\ny = exp(x)\nx = 1\n```\n", "theme.json": ##"{"gradient": "#0000ff"}"##])
        let (process, outURL) = try launchWatch(["post.md", "--assets", "img", "--theme", "theme.json", "--interval", "50"], in: dir)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func log() -> String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
        func renders() -> [Substring] { log().split(separator: "\n").filter { $0.contains(" rendered post.md") } }
        func wait(for count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while renders().count < count && Date() < deadline { usleep(20_000) }
        }
        wait(for: 1)
        #expect(renders().count == 1)
        // Without sleeping: another watched file changes. Had the post's own rewrite counted as
        // an edit, the next render would either come first (a third line) or name the post
        // too; so the second render must be the theme's alone.
        try Data(##"{"gradient": "#00ff00"}"##.utf8).write(to: dir.appendingPathComponent("theme.json"))
        wait(for: 2)
        let lines = renders()
        #expect(lines.count == 2, "\(log())")
        #expect(lines.last?.contains(" theme.json changed; rendered post.md (in place)") == true, "\(log())")
        let text = try String(contentsOf: dir.appendingPathComponent("post.md"), encoding: .utf8)
        #expect(text.hasPrefix("# P\n\n```bpgraph\ny = exp(x)\nx = 1\n```\n![y = exp(x)](img/bpgraph-"))
        process.interrupt()
        let stopBy = Date().addingTimeInterval(10)
        while process.isRunning && Date() < stopBy { usleep(20_000) }
        #expect(!process.isRunning)
        if !process.isRunning { #expect(process.terminationStatus == 0) }
    }
}
