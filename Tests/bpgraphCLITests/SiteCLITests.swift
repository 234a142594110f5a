import Foundation
import Testing

/// A post in the notes' own layout: a figure at the top, figures inside list items (a
/// tab-indented one in a nested item, a 4-space one, a 2-space one), and one in a block quote.
private let sitePost = """
    ---
    title: Backprop
    ---
    Intro.

    ```bpgraph
    y = 1 / (1 + exp(-x))
    x = 0.5
    ```

    - 더하기 노드
    \t- LG = 1
    \t\t```bpgraph
    \t\tL = x + y
    \t\tx = 1
    \t\ty = 2
    \t\t```
    \t- after
    - 곱셈 노드
        ```bpgraph
        title: Mul
        nodes:
          - {id: a, value: 2}
          - {id: b, value: 3}
          - {id: c, op: mul, in: [a, b]}
        output: c
        ```
    - two spaces
      ```bpgraph
      q = -a
      a = 2
      ```
    - last

    > 인용
    > ```bpgraph
    > s = sigmoid(a)
    > a = 0
    > ```

    The end.

    """

/// The package's folder (for the tools `scripts/setup` installs under `.venv/`).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A site generator: on PATH, or (mkdocs) in the package's `.venv`. Missing is a failure:
/// `scripts/setup` installs them, and CI runs it.
private func generator(_ name: String) throws -> URL {
    var candidates = [packageRoot.appendingPathComponent(".venv/bin/\(name)")]
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        candidates.append(URL(fileURLWithPath: String(dir)).appendingPathComponent(name))
    }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw GeneratorMissing(description: "\(name) is not installed: run scripts/setup (it installs jekyll, hugo and mkdocs)")
    }
    return found
}

private struct GeneratorMissing: Error, CustomStringConvertible { var description: String }

/// Runs a site generator in `dir`; its exit status must be 0.
private func build(_ tool: String, _ arguments: [String], in dir: URL) throws {
    var environment = ProcessInfo.processInfo.environment
    environment["JEKYLL_ENV"] = "production"
    environment["LANG"] = "C.UTF-8"
    let run = try runProcess(try generator(tool), arguments, in: dir, environment: environment)
    #expect(run.status == 0, "\(tool) \(arguments.joined(separator: " ")) failed:\n\(run.stdout)\(run.stderr)")
}

private func text(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

/// Every `src`/`srcset` of the page's `<img>` and `<source>` elements.
private func imageSources(_ html: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: #"<(?:img|source)\b[^>]*?\s(?:src|srcset)="([^"]*)""#)
    return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
        String(html[Range($0.range(at: 1), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// Checks that every image of a built page resolves, against the page's own URL, to a file of
/// the output folder (the site served at `http://site/` + `base`). Returns how many there are.
@discardableResult
private func expectImagesResolve(page: String, url pageURL: String, output: URL, base: String = "") throws -> Int {
    let html = try text(output.appendingPathComponent(page))
    let sources = imageSources(html)
    for source in sources {
        let resolved = URL(string: source, relativeTo: URL(string: "http://site" + pageURL)!)!.absoluteURL
        #expect(resolved.host == "site", "\(page): \(source) leaves the site")
        var path = resolved.path.removingPercentEncoding ?? resolved.path
        #expect(path.hasPrefix(base + "/"), "\(page): \(source) is outside the site's base \(base)")
        path = String(path.dropFirst(base.count))
        let file = output.appendingPathComponent(String(path.dropFirst()))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) && !isDirectory.boolValue,
                "\(page): <img src=\"\(source)\"> resolves to \(path), which is not in the built site")
        #expect(file.lastPathComponent.hasPrefix("bpgraph-"), "\(page): \(source) is not a figure")
    }
    return sources.count
}

private func count(_ needle: String, in haystack: String) -> Int { haystack.components(separatedBy: needle).count - 1 }

/// The built page keeps the post's structure: one outer list with its four items and the
/// nested list with its two, three figures inside the outer list, one in the block quote.
private func expectStructure(_ html: String, figures: Int = 1, page: String) {
    #expect(count("<ul", in: html) == 2, "\(page): the list was split: \(count("<ul", in: html)) <ul>")
    #expect(count("<li", in: html) == 6, "\(page): \(count("<li", in: html)) list items, expected 6")
    guard let open = html.range(of: "<ul"), let close = html.range(of: "</ul>", options: .backwards),
          let quoteOpen = html.range(of: "<blockquote"), let quoteClose = html.range(of: "</blockquote>") else {
        Issue.record("\(page): no list or no block quote")
        return
    }
    #expect(count("<img", in: String(html[open.lowerBound..<close.upperBound])) == 3 * figures, "\(page): figures of the list items")
    #expect(count("<img", in: String(html[quoteOpen.lowerBound..<quoteClose.upperBound])) == figures, "\(page): the block quote's figure")
    #expect(count("<img", in: html) == 5 * figures, "\(page): \(count("<img", in: html)) images")
}

@Suite("Posts on real sites: Jekyll, Hugo and MkDocs build them and every figure loads")
struct SiteCLITests {
    @Test("Jekyll, permalink /posts/:title/, with and without a baseurl; a light and dark PNG pair as Chirpy's .light/.dark")
    func jekyll() throws {
        for (base, extra) in [("/blog", [String]()), ("", ["--theme", "auto", "--format", "png"])] {
            let config = "permalink: /posts/:title/\n" + (base.isEmpty ? "" : "baseurl: \"\(base)\"\n") + "markdown: kramdown\n"
            let dir = try scratch(["_config.yml": config, "_posts/2020-03-25-backprop.md": sitePost, "index.md": "---\n---\nHome\n"])
            let run = try bpgraph(["render", "_posts/2020-03-25-backprop.md"] + extra, in: dir)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr == "_posts/2020-03-25-backprop.md: 5 figures (5 rendered, 0 unchanged), 0 failed\n")
            let post = try text(dir.appendingPathComponent("_posts/2020-03-25-backprop.md"))
            // Site-absolute links with the size, in the block's container.
            #expect(post.contains("\n\t\t![L = x + y](\(base)/assets/img/bpgraph/bpgraph-"))
            #expect(post.contains("\n> ![s = sigmoid(a)](\(base)/assets/img/bpgraph/bpgraph-"))
            #expect(post.range(of: #"\n    !\[Mul\]\([^)]*\)\{: (\.light )?width="\d+" height="\d+" \}\n"#, options: .regularExpression) != nil)
            try build("jekyll", ["build", "--quiet"], in: dir)
            let html = try text(dir.appendingPathComponent("_site/posts/backprop/index.html"))
            let pair = extra.isEmpty ? 1 : 2
            #expect(try expectImagesResolve(page: "posts/backprop/index.html", url: "\(base)/posts/backprop/", output: dir.appendingPathComponent("_site"), base: base) == 5 * pair)
            expectStructure(html, figures: pair, page: "jekyll \(base)")
            if pair == 2 {
                #expect(count("class=\"light\"", in: html) == 5 && count("class=\"dark\"", in: html) == 5)
            } else {
                #expect(html.contains(#"alt="Mul" width=""#))
            }
            // The record of the figures is not published.
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("_site/.bpgraph-figures.json").path))
        }
    }

    @Test("Hugo: a page bundle links its figures by bare name, another page from static/ as served")
    func hugo() throws {
        let layout = "<html><body>{{ .Content }}</body></html>\n"
        let dir = try scratch([
            "hugo.toml": "baseURL = \"https://example.org/\"\ntitle = \"t\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n",
            "layouts/_default/single.html": layout, "layouts/_default/list.html": layout,
            "content/posts/backprop/index.md": sitePost, "content/posts/other.md": sitePost,
        ])
        let run = try bpgraph(["render", "content/posts/backprop/index.md", "content/posts/other.md"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let bundle = try text(dir.appendingPathComponent("content/posts/backprop/index.md"))
        #expect(bundle.contains("\n    ![Mul](bpgraph-"))
        let other = try text(dir.appendingPathComponent("content/posts/other.md"))
        #expect(other.contains("\n    ![Mul](/images/bpgraph/bpgraph-"))
        try build("hugo", ["--quiet"], in: dir)
        let output = dir.appendingPathComponent("public")
        #expect(try expectImagesResolve(page: "posts/backprop/index.html", url: "/posts/backprop/", output: output) == 5)
        #expect(try expectImagesResolve(page: "posts/other/index.html", url: "/posts/other/", output: output) == 5)
        expectStructure(try text(output.appendingPathComponent("posts/backprop/index.html")), page: "hugo bundle")
        expectStructure(try text(output.appendingPathComponent("posts/other/index.html")), page: "hugo static")
    }

    @Test("MkDocs: links relative to the page, which MkDocs rewrites for its directory URLs")
    func mkdocs() throws {
        let dir = try scratch([
            // Python-Markdown reads fenced code inside list items only with SuperFences.
            "mkdocs.yml": "site_name: t\ntheme:\n  name: null\n  custom_dir: theme\nmarkdown_extensions:\n  - pymdownx.superfences\n",
            "theme/main.html": "<html><body>{{ page.content }}</body></html>\n",
            "docs/index.md": "# Home\n", "docs/posts/backprop.md": sitePost,
        ])
        let run = try bpgraph(["render", "docs/posts/backprop.md"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try text(dir.appendingPathComponent("docs/posts/backprop.md")).contains("\n> ![s = sigmoid(a)](bpgraph-"))
        try build("mkdocs", ["build", "--quiet", "--strict"], in: dir)
        let output = dir.appendingPathComponent("site")
        #expect(try expectImagesResolve(page: "posts/backprop/index.html", url: "/posts/backprop/", output: output) == 5)
        let html = try text(output.appendingPathComponent("posts/backprop/index.html"))
        expectStructure(html, page: "mkdocs")
    }
}

/// Every file under a folder (hidden ones included) with its bytes.
private func snapshot(_ dir: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: dir.path)!
    while let name = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let path = dir.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }
    return files
}

@Suite("Posts: reruns, the author's edits, stale figures")
struct PostRerunTests {
    @Test("a rerun changes no byte; an edited alt text and a {: width } survive; a changed block removes its old figure and nothing else")
    func reruns() throws {
        let second = "---\ntitle: Other\n---\n```bpgraph\nL = x + y\nx = 1\ny = 2\n```\n"
        let dir = try scratch(["_config.yml": "permalink: /posts/:title/\n", "_posts/2020-03-25-backprop.md": sitePost,
                               "_posts/2020-03-26-other.md": second, "assets/img/bpgraph/mine.svg": "<svg/>"])
        let post = "_posts/2020-03-25-backprop.md"
        #expect(try bpgraph(["render", post, "_posts/2020-03-26-other.md"], in: dir).status == 0)
        let first = try snapshot(dir)
        #expect(first.keys.filter { $0.hasPrefix("assets/img/bpgraph/bpgraph-") }.count == 5)  // the other post shares a figure
        let again = try bpgraph(["render", post], in: dir)
        #expect(again.stderr == "\(post): 5 figures (0 rendered, 5 unchanged), 0 failed\n")
        #expect(try snapshot(dir) == first)

        // The author edits one line's alt text and another's attributes.
        var text = try String(contentsOf: dir.appendingPathComponent(post), encoding: .utf8)
        text = text.replacingOccurrences(of: "![Mul](", with: "![곱셈 노드의 역전파](")
        text = try #require(text.replacingOccurrences(of: #"(!\[q = -a\]\([^)]*\))\{[^}]*\}"#, with: "$1{: width=\"600\" }", options: .regularExpression) as String?)
        try Data(text.utf8).write(to: dir.appendingPathComponent(post))
        #expect(try bpgraph(["render", post], in: dir).status == 0)
        let edited = try String(contentsOf: dir.appendingPathComponent(post), encoding: .utf8)
        #expect(edited == text)
        #expect(edited.contains("![곱셈 노드의 역전파](/assets/img/bpgraph/bpgraph-") && edited.contains(#"){: width="600" }"#))
        #expect(count("![", in: edited) == 5)

        // A changed block (the shared one, and the edited one): new figures; the old one that only
        // this post used is deleted; the shared one, the other post's and mine.svg stay.
        let before = try snapshot(dir)
        let changed = edited.replacingOccurrences(of: "\tx = 1\n", with: "\tx = 3\n").replacingOccurrences(of: "  a = 2\n", with: "  a = 5\n")
        try Data(changed.utf8).write(to: dir.appendingPathComponent(post))
        let run = try bpgraph(["render", post], in: dir)
        #expect(run.stderr == "\(post): 5 figures (2 rendered, 3 unchanged), 0 failed\n")
        let after = try snapshot(dir)
        let figuresBefore = Set(before.keys.filter { $0.contains("/bpgraph-") })
        let figuresAfter = Set(after.keys.filter { $0.contains("/bpgraph-") })
        #expect(figuresBefore.subtracting(figuresAfter).count == 1)  // q = -a's old figure
        #expect(figuresAfter.subtracting(figuresBefore).count == 2)
        #expect(after["assets/img/bpgraph/mine.svg"] == before["assets/img/bpgraph/mine.svg"])
        let otherLinks = try String(contentsOf: dir.appendingPathComponent("_posts/2020-03-26-other.md"), encoding: .utf8)
        #expect(imageFiles(otherLinks).count == 1)
        for link in imageFiles(otherLinks) { #expect(after["assets/img/bpgraph/" + link] != nil, "\(link) of the other post is gone") }
        let final = try String(contentsOf: dir.appendingPathComponent(post), encoding: .utf8)
        for link in imageFiles(final) { #expect(after["assets/img/bpgraph/" + link] != nil) }
        // The edits are still there, with the new figures.
        #expect(final.contains("![곱셈 노드의 역전파](") && final.contains(#"){: width="600" }"#))
        #expect(try bpgraph(["render", post], in: dir).status == 0)
        #expect(try snapshot(dir) == after)
    }

    @Test("a block that cannot be read, inside a list item or a quote, is an error with its line")
    func brokenInContainers() throws {
        let broken = "- item\n\t```bpgraph\n\ty = expp(x)\n\tx = 1\n\t```\n\n> ```bpgraph\n> y = exp(x)\n\n- ```bpgraph\n  y = x\n"
        let dir = try scratch(["post.md": broken])
        let run = try bpgraph(["render", "post.md"], in: dir)
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("post.md") }
        #expect(lines.count == 4)
        #expect(lines[0] == "post.md:7: the ```bpgraph block is never closed (add a line ``` after the spec, inside the same list item or quote)")
        #expect(lines[1] == "post.md:10: the ```bpgraph block is never closed (add a line ``` after the spec, inside the same list item or quote)")
        #expect(lines[2].hasPrefix("post.md:3: "))
        #expect(lines[3] == "post.md: 0 figures (0 rendered, 0 unchanged), 3 failed")
        #expect(try Data(contentsOf: dir.appendingPathComponent("post.md")) == Data(broken.utf8))
    }
}

/// The bpgraph figure file names a post links.
private func imageFiles(_ post: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: #"bpgraph-[0-9a-f]{12}\.(?:svg|png)"#)
    return pattern.matches(in: post, range: NSRange(post.startIndex..., in: post)).map { String(post[Range($0.range, in: post)!]) }
}

/// The start tags of an SVG, in order.
private func tags(_ svg: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: #"<[a-zA-Z][^>]*>"#)
    return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { String(svg[Range($0.range, in: svg)!]) }
}

private func attribute(_ name: String, of tag: String) -> String? {
    guard let start = tag.range(of: " \(name)=\"") else { return nil }
    return String(tag[start.upperBound...].prefix { $0 != "\"" })
}

@Suite("--theme auto: one SVG for light and dark pages")
struct AutoThemeTests {
    @Test("under prefers-color-scheme: dark every colour is the dark theme's; without it the figure is the light one, byte for byte")
    func autoSVG() throws {
        for template in ["06-affine.json", "11-softmax-with-loss-decomposed.json", "08-sigmoid.json"] {
            let spec = packageRoot.appendingPathComponent("Templates/\(template)").path
            let dir = try scratch([:])
            for theme in ["auto", "light", "dark"] {
                let run = try bpgraph(["render", spec, "-o", "\(theme).svg", "--theme", theme], in: dir)
                #expect(run.status == 0, "\(run.stderr)")
            }
            let auto = try text(dir.appendingPathComponent("auto.svg"))
            let light = try text(dir.appendingPathComponent("light.svg"))
            let dark = try text(dir.appendingPathComponent("dark.svg"))
            // The rules: one @media (prefers-color-scheme: dark) block in a <style>, no script.
            let style = try #require(auto.range(of: "<style>").flatMap { open in auto.range(of: "</style>").map { String(auto[open.upperBound..<$0.lowerBound]) } })
            #expect(style.contains("@media (prefers-color-scheme: dark) {"))
            #expect(!auto.contains("<script"))
            var rules: [String: [String: String]] = [:]
            let rule = try NSRegularExpression(pattern: #"\.([A-Za-z0-9_-]+) \{ ([^}]*) \}"#)
            for match in rule.matches(in: style, range: NSRange(style.startIndex..., in: style)) {
                let name = String(style[Range(match.range(at: 1), in: style)!])
                var declarations: [String: String] = [:]
                for part in style[Range(match.range(at: 2), in: style)!].split(separator: ";") {
                    let kv = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if kv.count == 2 { declarations[kv[0]] = kv[1] }
                }
                rules[name] = declarations
            }
            #expect(!rules.isEmpty)
            // Without the style and the classes it added, the SVG is the light one.
            var plain = auto.replacingOccurrences(of: "\n<style>" + style + "</style>", with: "")
            plain = plain.replacingOccurrences(of: #" class="bpd\d+""#, with: "", options: .regularExpression)
            #expect(plain == light, "\(template): without a dark preference the figure is not the light one")
            // Element by element: the dark colours (class rules over attributes) are the dark theme's.
            let autoTags = tags(auto).filter { !$0.hasPrefix("<style") }, darkTags = tags(dark)
            #expect(autoTags.count == darkTags.count)
            var recoloured = 0
            for (a, d) in zip(autoTags, darkTags) {
                let classes = (attribute("class", of: a) ?? "").split(separator: " ").map(String.init)
                let override = classes.compactMap { rules[$0] }.reduce(into: [String: String]()) { $0.merge($1) { $1 } }
                for property in ["fill", "stroke"] {
                    let shown = override[property] ?? attribute(property, of: a)
                    let expected = attribute(property, of: d) ?? (property == "fill" ? (a.hasPrefix("<text") || a.hasPrefix("<polygon") || a.hasPrefix("<path") || a.hasPrefix("<ellipse") ? "black" : nil) : nil)
                    if attribute(property, of: a) != attribute(property, of: d) { recoloured += 1 }
                    #expect(shown == expected, "\(template): \(a.prefix(60)) shows \(property) \(shown ?? "-") in dark mode, the dark theme has \(expected ?? "-")")
                }
            }
            // Texts, edges, arrowheads, nodes and the background all change.
            #expect(recoloured > 10)
            for light in ["#000000", "#d62728", "white"] {
                #expect(autoTags.contains { attribute("fill", of: $0) == light && attribute("class", of: $0)?.hasPrefix("bpd") == true })
            }
        }
    }

    @Test("--theme auto in a batch gives auto SVGs; for a PNG file it is one clear line (a usage error, exit 2), no file")
    func autoBatchAndPNG() throws {
        let dir = try scratch(["s.json": sigmoidSpec, "t.json": sigmoidSpec])
        let batch = try bpgraph(["render", "s.json", "t.json", "-o", "out", "--theme", "auto", "--format", "svg", "--quiet"], in: dir)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(try text(dir.appendingPathComponent("out/s.svg")).contains("@media (prefers-color-scheme: dark)"))
        let png = try bpgraph(["render", "s.json", "-o", "s.png", "--theme", "auto"], in: dir)
        #expect(png.status == 2)
        #expect(png.stderr == "bpgraph render: --theme auto makes one SVG for light and dark pages, not png; use an .svg output or --format svg (Markdown posts also get light and dark PNGs)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.png").path))
    }
}
