import BPGraph
import Foundation
import Testing

private func post(_ text: String, file: String = "post.md") throws -> MarkdownPost {
    try MarkdownPost(Array(text.utf8), file: file)
}

/// A figure for every block, named after the block's content like the CLI does.
private func figures(_ post: MarkdownPost) -> [Int: MarkdownFigure] {
    var figures: [Int: MarkdownFigure] = [:]
    for (i, block) in post.blocks.enumerated() {
        figures[i] = MarkdownFigure(link: "img/bpgraph-\(SHA256.hex(Array(block.content.utf8)).prefix(12)).svg", alt: "fig \(i)")
    }
    return figures
}

private func rewrite(_ text: String, replace: Bool = false) throws -> String {
    let p = try post(text)
    return String(decoding: p.rewritten(figures: figures(p), replace: replace).bytes, as: UTF8.self)
}

@Suite("Markdown posts")
struct MarkdownTests {
    @Test("finds bpgraph fences, not other fences, not inside other fences, comments or front matter")
    func scanning() throws {
        let text = """
            ---
            title: x
            example: |
              ```bpgraph
              y = exp(x)
              ```
            ---
            Intro
            ```python
            print(1)
            ```
            ````markdown
            ```bpgraph
            inside = a
            ```
            ````
            <!--
            ```bpgraph
            commented = out
            ```
            -->
                ```bpgraph
                indented = code
                ```
            ```bpgraph {#fig}
            y = exp(x)
            x = 1
            ```
              ~~~~ bpgraph
              L = x * y
              ~~~
              x = 2
              ~~~~~
            ```bpgraphs
            y = x
            ```

            """
        let p = try post(text)
        #expect(p.problems.isEmpty)
        #expect(p.blocks.map(\.line) == [25, 29])
        #expect(p.blocks[0].info == "{#fig}")
        #expect(p.blocks[0].content == "y = exp(x)\nx = 1\n")
        #expect(p.blocks[0].contentLines.map(\.line) == [26, 27])
        // The fence's indent is removed from the content; a shorter fence inside does not close it.
        #expect(p.blocks[1].content == "L = x * y\n~~~\nx = 2\n")
    }

    @Test("an unclosed block is a problem with its line; the rest of the post is scanned")
    func unclosed() throws {
        let p = try post("# T\n\n```bpgraph\ny = x\nx = 1\n")
        #expect(p.blocks.isEmpty)
        #expect(p.problems.map(\.description) == ["post.md:3: the ```bpgraph block is never closed (add a line ``` after the spec)"])
    }

    @Test("an image line is added after each block, and a second run updates it instead of adding another")
    func idempotent() throws {
        let text = "---\ntitle: T\n---\nA\n```bpgraph\ny = exp(x)\nx = 1\n```\nB\n\n```bpgraph\nz = x * y\nx = 1\ny = 2\n```\n"
        let once = try rewrite(text)
        #expect(once == """
            ---
            title: T
            ---
            A
            ```bpgraph
            y = exp(x)
            x = 1
            ```
            ![fig 0](img/bpgraph-\(SHA256.hex(Array("y = exp(x)\nx = 1\n".utf8)).prefix(12)).svg)
            B

            ```bpgraph
            z = x * y
            x = 1
            y = 2
            ```
            ![fig 1](img/bpgraph-\(SHA256.hex(Array("z = x * y\nx = 1\ny = 2\n".utf8)).prefix(12)).svg)

            """)
        #expect(try rewrite(once) == once)
        // A changed block gets a new name on the same line.
        let edited = once.replacingOccurrences(of: "x = 1\n```\n![fig 0]", with: "x = 2\n```\n![fig 0]")
        let again = try rewrite(edited)
        #expect(again.components(separatedBy: "\n").count == once.components(separatedBy: "\n").count)
        #expect(again.contains(String(SHA256.hex(Array("y = exp(x)\nx = 2\n".utf8)).prefix(12))))
    }

    @Test("an image that is not ours after a block is kept, and ours is added before it")
    func foreignImage() throws {
        let text = "```bpgraph\ny = exp(x)\nx = 1\n```\n![photo](cat.png)\n"
        let out = try rewrite(text)
        #expect(out.hasSuffix("```\n![fig 0](img/bpgraph-\(SHA256.hex(Array("y = exp(x)\nx = 1\n".utf8)).prefix(12)).svg)\n![photo](cat.png)\n"))
    }

    @Test("blocks without a figure (failed ones) are left exactly as they were")
    func failedBlockUntouched() throws {
        let text = "```bpgraph\ny = exp(\n```\n![old](a/bpgraph-0123456789ab.svg)\n\n```bpgraph\ny = x\nx = 1\n```\n"
        let p = try post(text)
        let out = String(decoding: p.rewritten(figures: [1: MarkdownFigure(link: "n.svg", alt: "n")], replace: false).bytes, as: UTF8.self)
        #expect(out == text + "![n](n.svg)\n")
    }

    @Test("CRLF line ends, a byte-order mark and a missing final newline are kept")
    func crlf() throws {
        let text = "\u{FEFF}---\r\ntitle: T\r\n---\r\nA  \r\n```bpgraph\r\ny = exp(x)\r\nx = 1\r\n```"
        let p = try post(text)
        #expect(p.blocks.count == 1)
        #expect(p.blocks[0].content == "y = exp(x)\nx = 1\n")  // hashes alike in LF and CRLF posts
        let out = try rewrite(text)
        #expect(Array(out.utf8) == Array((text + "\r\n![fig 0](img/bpgraph-\(SHA256.hex(Array("y = exp(x)\nx = 1\n".utf8)).prefix(12)).svg)").utf8))
        #expect(try rewrite(out) == out)
        let replaced = try rewrite(text + "\r\nafter\r\n", replace: true)
        #expect(replaced.hasPrefix("\u{FEFF}---\r\ntitle: T\r\n---\r\nA  \r\n<!-- bpgraph\r\ny = exp(x)\r\nx = 1\r\n-->\r\n![fig 0]("))
        #expect(replaced.hasSuffix(".svg)\r\nafter\r\n"))
        #expect(try rewrite(replaced, replace: true) == replaced)
        #expect(try rewrite(replaced, replace: false) == replaced)
    }

    @Test("--replace hides the spec in a comment that a rerun reads back, with the same content")
    func replace() throws {
        let text = "Intro\n\n```bpgraph title\n{ \"expr\": \"y = exp(x)\", \"values\": { \"x\": 1 } }\n```\nEnd\n"
        let p = try post(text)
        let replaced = try rewrite(text, replace: true)
        #expect(replaced == "Intro\n\n<!-- bpgraph title\n{ \"expr\": \"y = exp(x)\", \"values\": { \"x\": 1 } }\n-->\n![fig 0](img/bpgraph-\(SHA256.hex(Array(p.blocks[0].content.utf8)).prefix(12)).svg)\nEnd\n")
        let again = try post(replaced)
        #expect(again.blocks.count == 1)
        #expect(again.blocks[0].form == .comment)
        #expect(again.blocks[0].content == p.blocks[0].content)
        #expect(again.blocks[0].info == "title")
        #expect(again.blocks[0].hasImageLine)
        #expect(try rewrite(replaced, replace: true) == replaced)
    }

    @Test("--replace encodes the hidden spec: nothing in it can close the comment (an HTML5 parser agrees), and reruns decode it byte for byte")
    func replaceCannotBreakOut() throws {
        var documents: [(title: String, json: String, text: String)] = []
        let hostile = ["--!><img src=x onerror=alert(1)>", "a --> b", "--", "a--->b", "-", "x-", "&#45;&amp;&lt;", "> lead", "<!-- nested", "--!", "---"]
        for title in hostile {
            let json = "{ \"title\": \(EvalJSON.string(title)), \"expr\": \"y = exp(x)\", \"values\": { \"x\": 1 } }"
            // The title in the spec, and the same text in the fence's info string.
            let text = "Intro\n\n```bpgraph \(title)\n\(json)\n```\nEnd\n"
            let p = try post(text)
            let (bytes, problems, _) = p.rewritten(figures: figures(p), replace: true)
            #expect(problems.isEmpty)
            let replaced = String(decoding: bytes, as: UTF8.self)
            #expect(!replaced.contains("```"), "the block was hidden: \(title)")
            // A rerun reads the same spec and info back, and changes nothing.
            let again = try post(replaced)
            #expect(again.blocks.count == 1)
            #expect(again.blocks.first?.content == p.blocks[0].content, "\(title)")
            #expect(again.blocks.first?.info == p.blocks[0].info, "\(title)")
            #expect(try rewrite(replaced, replace: true) == replaced)
            documents.append((title, json, replaced))
        }
        // What a browser sees: the comment, then only text (the image line is Markdown).
        if let parsed = try HTML5.parse(documents.map(\.text)) {
            for (document, result) in zip(documents, parsed) {
                #expect(result.elements.isEmpty, "live HTML from \(document.title): \(result.elements)")
                #expect(result.comments.count == 1, "\(document.title)")
                #expect(result.comments.first.map(HTMLCommentText.decode) == " bpgraph \(document.title)\n\(document.json)\n", "\(document.title)")
            }
        }
        // The encoding is its own inverse on any text, and never leaves "--".
        var rng = SplitMix64(seed: 12)
        let pieces = ["-", "--", "&", "&#45;", "&amp;", ">", "!", "a", "<!--", "-->"]
        for _ in 0..<2000 {
            let text = (0..<Int(rng.next() % 8)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            let encoded = HTMLCommentText.encode(text)
            #expect(!encoded.contains("--"))
            #expect(HTMLCommentText.decode(encoded) == text)
        }
    }

    @Test("block specs: expression with value lines, YAML, JSON — the same graph as the node list")
    func blockSpecs() throws {
        let forms = [
            "# sigmoid\ny = 1 / (1 + exp(-x))\n\nx = 0.5\n",
            "expr: y = 1 / (1 + exp(-x))\nvalues: {x: 0.5}\n",
            "{ \"expr\": \"y = 1 / (1 + exp(-x))\", \"values\": { \"x\": 0.5 } }\n",
        ]
        var results: [String] = []
        for form in forms {
            let p = try post("```bpgraph\n" + form + "```\n")
            let decoded = try p.blocks[0].spec(in: "post.md")
            results.append(EvalJSON.encode(try EvaluatedGraph(Graph(decoded.spec))))
        }
        #expect(Set(results).count == 1)
        #expect(results[0].contains(#""id": "x", "value": 0.5, "grad": 0.2350037122015945"#))
        let matrix = try post("```bpgraph\nY = X @ W\nX = [[1, 2]]\nW = [[1], [2]]\n```\n")
        #expect(try matrix.blocks[0].spec(in: "p.md").alt == "Y = X @ W")
    }

    @Test("block errors name the post and the line at fault")
    func blockErrors() throws {
        func messages(_ body: String) throws -> [String] {
            let p = try post("Title\n\n```bpgraph\n" + body + "```\n")
            do {
                let decoded = try p.blocks[0].spec(in: "post.md")
                _ = try EvaluatedGraph(Graph(decoded.spec))
                return []
            } catch let error as SpecError {
                return error.diagnostics.map(\.description)
            }
        }
        #expect(try messages("y = exp(x\nx = 1\n") == ["post.md:4: missing ')' at column 10 to close the '(' at column 8\n  y = exp(x\n           ^"])
        #expect(try messages("y = exp(x)\n\nx = 1 2\n") == ["post.md:6: expected a number or a JSON array (invalid JSON: unexpected '2' after the document)"])
        #expect(try messages("y = exp(x)\nx = 1\nz = 2\n") == ["post.md:6: \"z\" is not a variable of the expression (its variables are \"x\")"])
        #expect(try messages("y = log(x)\nx = -1\n") == [#"post.md:4: "log(x)": log gives a non-finite value (NaN) for these inputs"#])
        #expect(try messages("y = exp(x) * w\nx = 1\n") == ["post.md:4: missing a value for \"w\" (add a line such as w = 0.5 after the expression)"])
        #expect(try messages("y = exp(x)\nx: 1\n") == ["post.md:5: expected a value line NAME = VALUE after the expression, such as x = 0.5 or W = [[1, 2], [3, 4]]"])
        #expect(try messages("{ \"nodes\": [ { \"id\": \"x\", \"value\": 2 },\n  { \"id\": \"y\", \"op\": \"expp\", \"in\": [\"x\"] } ], \"output\": \"y\" }\n")
                == ["post.md:3: nodes[1] \"y\": unknown op \"expp\" (did you mean \"exp\"?)"])
        #expect(try messages("{ \"nodes\": [ { \"id\": \"x\", \"value\": 2 },\n  { \"id\": \"y\", \"op\": \"exp\", \"in\": [\"x\"] }, ], \"output\": \"y\" }\n")
                == ["post.md:5:44: invalid JSON: trailing comma before ']'"])
        #expect(try messages("nodes:\n  - {id: x, value: 2\noutput: y\n")
                == ["post.md:6:7: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 5)"])
        #expect(try messages("\n# only a comment\n") == ["post.md:3: the ```bpgraph block is empty; write a spec (JSON or YAML) or an expression such as y = 1 / (1 + exp(-x))"])
    }

    @Test("relative links between folders, percent-encoded where Markdown needs it")
    func links() {
        #expect(MarkdownPost.relativePath(from: "/a/b", to: "/a/b/img/x.svg") == "img/x.svg")
        #expect(MarkdownPost.relativePath(from: "/a/b/posts", to: "/a/assets/x.svg") == "../../assets/x.svg")
        #expect(MarkdownPost.relativePath(from: "/a", to: "/a/x.svg") == "x.svg")
        #expect(MarkdownPost.relativePath(from: "/", to: "/x.svg") == "x.svg")
        #expect(MarkdownPost.relativePath(from: "/a/x.svg", to: "/a/x.svg/y.svg") == "y.svg")
        #expect(MarkdownPost.linkTarget("my figs (1)/그림/x.svg") == "my%20figs%20%281%29/그림/x.svg")
        #expect(MarkdownFigure(link: "x.svg", alt: "a [b] \\ c").markdown == "![a \\[b\\] \\\\ c](x.svg)")
        #expect(MarkdownPost.isFigureFileName("bpgraph-0123456789ab.png"))
        #expect(!MarkdownPost.isFigureFileName("bpgraph-0123456789AB.png"))
        #expect(!MarkdownPost.isFigureFileName("bpgraph-0123456789a.svg"))
        #expect(!MarkdownPost.isFigureFileName("figure-0123456789ab.svg"))
    }

    @Test("blocks in list items (tabs, 4 and 2 spaces, on the marker line) and block quotes; the image line goes into the same container")
    func containers() throws {
        let text = "- a\n\t- b\n\t\t```bpgraph\n\t\ty = exp(x)\n\t\tx = 1\n\t\t```\n\t- c\n- d\n    ```bpgraph\n    z = x\n    ```\n"
            + "- e\n  ```bpgraph\n  q = x\n  ```\n- ```bpgraph\n  w = x\n  ```\n\n> quote\n> ```bpgraph\n> s = x\n> ```\n>\n> > ```bpgraph\n> > t = x\n> > ```\n"
            + "\n    ```bpgraph\n    indented = code\n    ```\n"
        let p = try post(text)
        #expect(p.problems.isEmpty)
        #expect(p.blocks.map(\.line) == [3, 9, 13, 16, 21, 25])
        #expect(p.blocks.map(\.content) == ["y = exp(x)\nx = 1\n", "z = x\n", "q = x\n", "w = x\n", "s = x\n", "t = x\n"])
        let out = try rewrite(text)
        func image(_ i: Int) -> String { "![fig \(i)](img/bpgraph-\(SHA256.hex(Array(p.blocks[i].content.utf8)).prefix(12)).svg)" }
        #expect(out.contains("\t\t```\n\t\t\(image(0))\n\t- c\n"))
        #expect(out.contains("    ```\n    \(image(1))\n- e\n"))
        #expect(out.contains("  ```\n  \(image(2))\n- ```"))
        #expect(out.contains("  ```\n  \(image(3))\n\n"))
        #expect(out.contains("> ```\n> \(image(4))\n>\n"))
        #expect(out.contains("> > ```\n> > \(image(5))\n"))
        #expect(try rewrite(out) == out)
        // --replace keeps the container on every line of the comment.
        let replaced = try rewrite(text, replace: true)
        #expect(replaced.contains("\t\t<!-- bpgraph\n\t\ty = exp(x)\n\t\tx = 1\n\t\t-->\n\t\t\(image(0))\n"))
        #expect(replaced.contains("- <!-- bpgraph\n  w = x\n  -->\n  \(image(3))\n"))
        #expect(replaced.contains("> <!-- bpgraph\n> s = x\n> -->\n> \(image(4))\n"))
        let again = try post(replaced)
        #expect(again.blocks.map(\.content) == p.blocks.map(\.content))
        #expect(try rewrite(replaced, replace: true) == replaced)
    }

    @Test("--replace in list items and quotes: the container on every line, the spec encoded, empty lines keep the quote markers; reruns decode it byte for byte")
    func replaceInContainers() throws {
        let json = "{ \"title\": \"a --> b --!> c\", \"expr\": \"y = exp(x)\",\n\n\"values\": { \"x\": 1 } }"
        func indented(_ prefix: String) -> String {
            json.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? String(prefix.reversed().drop(while: { $0 == " " }).reversed()) : prefix + $0 }
                .joined(separator: "\n")
        }
        let text = "- item\n  ```bpgraph x--y\n\(indented("  "))\n  ```\n\n> quote\n> ```bpgraph\n\(indented("> "))\n> ```\n>\n> > ```bpgraph\n\(indented("> > "))\n> > ```\n"
        let p = try post(text)
        #expect(p.problems.isEmpty)
        #expect(p.blocks.count == 3)
        #expect(p.blocks.allSatisfy { $0.content == json + "\n" })
        let replaced = try rewrite(text, replace: true)
        #expect(!replaced.contains("```"))
        #expect(replaced.contains("- item\n  <!-- bpgraph x-&#45;y\n  { \"title\": \"a -&#45;> b -&#45;!> c\", \"expr\": \"y = exp(x)\",\n\n  \"values\": { \"x\": 1 } }\n  -->\n"))
        #expect(replaced.contains("> <!-- bpgraph\n> { \"title\": \"a -&#45;> b -&#45;!> c\", \"expr\": \"y = exp(x)\",\n>\n> \"values\": { \"x\": 1 } }\n> -->\n"))
        #expect(replaced.contains("> > <!-- bpgraph\n> > { \"title\": \"a -&#45;> b -&#45;!> c\", \"expr\": \"y = exp(x)\",\n> >\n> > \"values\": { \"x\": 1 } }\n> > -->\n"))
        // Between each comment's opening and its closing line, nothing can end it.
        for line in replaced.split(separator: "\n") where !line.hasSuffix("-->") {
            #expect(!line.replacingOccurrences(of: "<!-- bpgraph", with: "").contains("--"), "\(line)")
        }
        let again = try post(replaced)
        #expect(again.problems.isEmpty)
        #expect(again.blocks.map(\.content) == p.blocks.map(\.content))
        #expect(again.blocks.map(\.info) == ["x--y", "", ""])
        #expect(try rewrite(replaced, replace: true) == replaced)
        #expect(try rewrite(replaced) == replaced)
    }

    @Test("a block whose list item or quote ends before its closing fence is never closed; lazy lines keep the item open")
    func containerEnds() throws {
        let p = try post("> ```bpgraph\n> y = x\nnot quoted\n\n- item\nlazy continuation\n  ```bpgraph\n  z = x\n  ```\n")
        #expect(p.problems.map(\.description) == ["post.md:1: the ```bpgraph block is never closed (add a line ``` after the spec, inside the same list item or quote)"])
        #expect(p.blocks.map(\.line) == [7])
    }

    @Test("the author's alt text and attributes are kept unless they are bpgraph's own; <picture> and {: .light } pairs are one block's lines")
    func imageLines() throws {
        let name = "bpgraph-0123456789ab.svg", newName = "bpgraph-ba9876543210.svg"
        let figure = MarkdownFigure(alt: "new alt", images: [.init(link: "/a/\(newName)", attributes: "{: width=\"10\" height=\"5\" }")])
        func run(_ line: String, previous: [String: WrittenImage] = [:]) throws -> String {
            let p = try post("```bpgraph\ny = x\n```\n" + line + "\nafter\n")
            return String(decoding: p.rewritten(figures: [0: figure], replace: false, previous: previous).bytes, as: UTF8.self)
        }
        let ours = [name: WrittenImage(files: [name], alt: "old alt", attributes: "{: width=\"8\" height=\"4\" }")]
        // bpgraph's own text follows the block.
        #expect(try run("![old alt](/a/\(name)){: width=\"8\" height=\"4\" }", previous: ours)
                == "```bpgraph\ny = x\n```\n![new alt](/a/\(newName)){: width=\"10\" height=\"5\" }\nafter\n")
        // The author's stays.
        #expect(try run("![mine](/a/\(name)){: width=\"600\" }", previous: ours)
                == "```bpgraph\ny = x\n```\n![mine](/a/\(newName)){: width=\"600\" }\nafter\n")
        // No record: the alt text is kept, missing attributes are added.
        #expect(try run("![old alt](/a/\(name))") == "```bpgraph\ny = x\n```\n![old alt](/a/\(newName)){: width=\"10\" height=\"5\" }\nafter\n")
        // Two lines of ours (a light/dark pair) and a <picture> are replaced whole.
        #expect(try run("![a](\(name)){: .light }\n![a](bpgraph-111111111111.png){: .dark }")
                == "```bpgraph\ny = x\n```\n![a](/a/\(newName)){: .light }\nafter\n")
        let picture = MarkdownFigure.pictureLine(alt: "a \"b\" & c", light: name, dark: "bpgraph-111111111111.png", width: 3, height: 4)
        #expect(picture == "<picture><source media=\"(prefers-color-scheme: dark)\" srcset=\"bpgraph-111111111111.png\"><img alt=\"a &quot;b&quot; &amp; c\" src=\"\(name)\" width=\"3\" height=\"4\"></picture>")
        let p = try post("```bpgraph\ny = x\n```\n" + picture + "\n")
        #expect(p.blocks[0].images.map(\.files) == [[name, "bpgraph-111111111111.png"]])
        #expect(p.blocks[0].images[0].alt == "a \"b\" & c")
    }

    @Test("SHA-256 matches the standard's test vectors")
    func sha256() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(Array(repeating: 0x61, count: 1_000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("bytes that are not UTF-8 are refused with the post's name")
    func notUTF8() {
        #expect(throws: SpecError.self) { try MarkdownPost([0x66, 0xFF, 0x0A], file: "p.md") }
    }
}

/// Parses documents with html5lib (the HTML5 parsing algorithm that browsers follow),
/// through python3. Nil, and the checks skipped, only when python3 or html5lib is not
/// installed (`scripts/setup` installs it).
enum HTML5 {
    struct Parsed: Decodable {
        /// Elements inside <body> (html5lib adds html, head and body).
        var elements: [String]
        var comments: [String]
    }

    static let script = """
        import sys, json
        try:
            import html5lib
        except ImportError:
            print("missing"); sys.exit(0)
        results = []
        for text in json.load(sys.stdin):
            doc = html5lib.parse(text, treebuilder="dom")
            elements, comments = [], []
            def walk(n):
                for c in n.childNodes:
                    if c.nodeType == c.COMMENT_NODE: comments.append(c.data)
                    elif c.nodeType == c.ELEMENT_NODE:
                        if c.tagName not in ("html", "head", "body"): elements.append(c.tagName)
                        walk(c)
            walk(doc)
            results.append({"elements": elements, "comments": comments})
        print(json.dumps(results))
        """

    static func parse(_ documents: [String]) throws -> [Parsed]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        input.fileHandleForWriting.write(try JSONEncoder().encode(documents))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 || String(decoding: data, as: UTF8.self).hasPrefix("missing") { return nil }
        return try JSONDecoder().decode([Parsed].self, from: data)
    }
}
