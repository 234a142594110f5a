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
    let process = Process()
    process.executableURL = try generator(tool)
    process.arguments = arguments
    process.currentDirectoryURL = dir
    var environment = ProcessInfo.processInfo.environment
    environment["JEKYLL_ENV"] = "production"
    environment["LANG"] = "C.UTF-8"
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let log = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(tool) \(arguments.joined(separator: " ")) failed:\n\(String(decoding: log, as: UTF8.self))")
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
