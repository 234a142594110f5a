import ArgumentParser
import BPGraph
import BPGraphRender
import Foundation

/// `render post.md [--site KIND] [--assets DIR] [--link-prefix URL] [-o OUT.md] [--replace]`: the options.
struct PostOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Markdown posts: the folder the figures are written to (default: where the post's site publishes them: Jekyll's assets/img/bpgraph, a Hugo bundle or static/images/bpgraph, else the post's folder).",
                               valueName: "dir"))
    var assets: String?

    @Option(help: ArgumentHelp("Markdown posts: the kind of site, instead of the one found by walking up from the post (_config.yml, hugo.toml, mkdocs.yml).",
                               valueName: "jekyll|hugo|mkdocs|plain"))
    var site: PostSite.Kind?

    @Option(help: ArgumentHelp("Markdown posts: link each figure as URL followed by its file name (a CDN, a theme's media_subpath), whatever the site.",
                               valueName: "url"))
    var linkPrefix: String?

    @Flag(help: "Markdown posts: replace each ```bpgraph block with its image, keeping the spec in an HTML comment so that a rerun still works.")
    var replace = false

    static func isPost(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".md") || lower.hasSuffix(".markdown")
    }

    func validate(specs: [String], format: OutputFormat?) throws {
        let posts = specs.filter(Self.isPost)
        if posts.isEmpty {
            if assets != nil { throw ValidationError("--assets is for Markdown posts (.md)") }
            if site != nil { throw ValidationError("--site is for Markdown posts (.md)") }
            if linkPrefix != nil { throw ValidationError("--link-prefix is for Markdown posts (.md)") }
            if replace { throw ValidationError("--replace is for Markdown posts (.md)") }
            return
        }
        if posts.count != specs.count {
            throw ValidationError("render Markdown posts and spec files in separate commands")
        }
        if format == .dot { throw ValidationError("a post links images: use --format svg, png or pdf") }
        if let linkPrefix, linkPrefix.contains(where: { $0 == "(" || $0 == ")" || $0 == " " || $0 == "\n" || $0 == "\"" || $0 == "<" || $0 == ">" }) {
            throw ValidationError("--link-prefix must be a URL without spaces, quotes, parentheses or angle brackets (percent-encode them)")
        }
    }
}

extension RenderCommand {
    /// Renders each post's blocks and writes the posts. Every block that can be rendered is,
    /// and every post is written, even when some blocks fail; the failures are reported
    /// (`post.md:23: …`), each post's summary line follows its failures, and the exit code
    /// is 1. A failed block is left as it was, with the image lines an earlier run put after
    /// it, if any.
    func renderPosts() throws {
        let options = try figure.options()
        let format = self.format ?? .svg
        let jobs = try postJobs()
        var failed = false
        for (source, destination) in jobs {
            do {
                let (problems, summary) = try renderPost(source, to: destination, options: options, format: format)
                if !problems.isEmpty { Terminal.printErrors(problems); failed = true }
                if !quiet { Terminal.printErrors([summary]) }
            } catch {
                Terminal.printErrors(Failure(error).lines)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// Which post is written where: in place without -o; to -o's file (or into -o's folder)
    /// for one post; into -o's folder for several.
    private func postJobs() throws -> [(String, String)] {
        guard let output else { return specs.map { ($0, $0) } }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
        if specs.count == 1 && output == "-" { return [(specs[0], "-")] }
        if specs.count == 1 && !(exists && isDirectory.boolValue) && PostOptions.isPost(output) {
            return [(specs[0], output)]
        }
        if specs.count == 1 && !exists {
            throw Failure(file: output, "a post is written to a .md file or into an existing folder")
        }
        if output == "-" { throw Usage.error("several posts cannot all be written to standard output; name a folder with -o DIR") }
        if exists && !isDirectory.boolValue { throw Failure(file: output, "several posts are written into a folder, not into one file") }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        catch { throw Failure(file: output, "cannot create the directory") }
        var seen: [String: String] = [:]
        return try specs.map { post in
            let destination = (output as NSString).appendingPathComponent((post as NSString).lastPathComponent)
            if let other = seen[destination] { throw Failure("\(post) and \(other) would both be written to \(destination)") }
            seen[destination] = post
            return (post, destination)
        }
    }

    /// Renders one post; returns the problems of its blocks and its summary line,
    /// `post.md: 6 figures (1 rendered, 5 unchanged), 0 failed`.
    private func renderPost(_ path: String, to destination: String, options: FigureOptions, format: OutputFormat) throws
        -> (problems: [String], summary: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw Failure(file: path, "no such file") }
        if isDirectory.boolValue { throw Failure(file: path, "is a directory, expected a Markdown post") }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(file: path, "cannot read the file") }
        let post = try MarkdownPost([UInt8](data), file: path)
        var problems = post.problems.map(\.description)

        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path }
        // Where the post is served from: the written post, or for standard output the source.
        let postPath = absolute(destination == "-" ? path : destination)
        let site = try PostSite.find(from: (postPath as NSString).deletingLastPathComponent, kind: self.post.site)
        // With -o -, links are relative to the current folder (the reader's page is unknown).
        let linkedFrom = destination == "-" ? (absolute(".") as NSString).appendingPathComponent("-") : postPath
        let placement = try site.placement(post: linkedFrom, assets: self.post.assets.map(absolute), assetsName: self.post.assets,
                                           linkPrefix: self.post.linkPrefix)
        let assetFolder = placement.folder
        if site.kind == .hugo && options.darkTheme != nil && format != .svg && !site.rawHTML {
            throw Failure(file: path, "--theme auto with \(format.rawValue) links a light and a dark image in a <picture>, which Hugo drops unless markup.goldmark.renderer.unsafe is true in \((site.config as NSString?)?.lastPathComponent ?? "hugo.toml"); set it, or use --format svg (one SVG for both)")
        }
        if !post.blocks.isEmpty {
            do { try FileManager.default.createDirectory(atPath: assetFolder, withIntermediateDirectories: true) }
            catch { throw Failure(file: self.post.assets ?? assetFolder, "cannot create the assets folder") }
        }
        var manifest = PostManifest(folder: site.root ?? assetFolder)
        let manifestKey = MarkdownPost.relativePath(from: manifest.folder, to: postPath)
        let assetsKey = String(MarkdownPost.relativePath(from: manifest.folder, to: (assetFolder as NSString).appendingPathComponent("x")).dropLast(1))

        var figures: [Int: MarkdownFigure] = [:]
        var rendered = 0, unchanged = 0, failed = post.problems.count
        for (index, block) in post.blocks.enumerated() {
            let name = block.displayName(in: path)
            do {
                let decoded = try block.spec(in: path)
                let figure = try Figure(spec: decoded.spec, name: name,
                                        settings: FigureSettings(options: options, format: format, dpi: dpi, maxNodes: maxNodes))
                let files: [FigureFile]
                if decoded.spec.animate == true {
                    files = try animationFiles(figure)
                } else if decoded.spec.steps == true {
                    files = try stepFiles(figure)
                } else {
                    files = figureFiles(figure)
                }
                // A light and a dark PNG of one figure (not the frames of its steps).
                let pair = figure.darkPlan != nil && format == .png && decoded.spec.steps != true
                var wrote = false
                var images: [(file: String, size: FigureSize?)] = []
                for file in files {
                    let asset = (assetFolder as NSString).appendingPathComponent(file.name)
                    // Named by a hash of what decides its bytes: an existing file is this figure already.
                    var bytes = FileManager.default.contents(atPath: asset).map([UInt8].init)
                    if bytes == nil {
                        let made = try file.make()
                        try AtomicFile.write(made, to: asset)
                        bytes = made
                        wrote = true
                    }
                    images.append((file.name, FigureSize(bytes!, format: format, dpi: dpi)))
                }
                if wrote { rendered += 1 } else { unchanged += 1 }
                figures[index] = Self.figure(alt: decoded.alt, images: images, site: site.kind, link: placement.link, auto: pair)
            } catch {
                failed += 1
                problems += Failure(error).lines
            }
        }

        let (bytes, rewriteProblems, written) = post.rewritten(figures: figures, replace: self.post.replace,
                                                               previous: manifest.previous(for: manifestKey))
        problems += rewriteProblems.map(\.description)
        if destination == "-" {
            try Terminal.write(bytes)
        } else {
            if FileManager.default.contents(atPath: destination).map([UInt8].init) != bytes {
                let permissions = (try? FileManager.default.attributesOfItem(atPath: destination))?[.posixPermissions]
                    ?? (destination == path ? nil : (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions])
                let folder = (destination as NSString).deletingLastPathComponent
                if !folder.isEmpty {
                    do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                    catch { throw Failure(file: folder, "cannot create the directory") }
                }
                try AtomicFile.write(bytes, to: destination)
                if let permissions { try? FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: destination) }
            }
            // The figures this post no longer links, that bpgraph wrote and no other post uses.
            let ours = written.filter { $0.files.allSatisfy { FileManager.default.fileExists(atPath: (assetFolder as NSString).appendingPathComponent($0)) } }
            for stale in manifest.record(manifestKey, assets: assetsKey.isEmpty ? "." : assetsKey, lines: ours) {
                unlink((manifest.folder as NSString).appendingPathComponent(stale))
            }
            do { try manifest.save() } catch { problems += Failure(error).lines.map { $0 + " (the record of the post's figures was not saved)" } }
        }
        let total = rendered + unchanged
        return (problems, "\(path): \(total) figure\(total == 1 ? "" : "s") (\(rendered) rendered, \(unchanged) unchanged), \(failed) failed")
    }

    /// A figure file to write: its name, and how to make its bytes if it does not exist yet.
    struct FigureFile {
        var name: String
        var make: () throws -> [UInt8]
    }

    /// The files of one block's figure: one, or with --theme auto and PNG a light and a dark one.
    private func figureFiles(_ figure: Figure) -> [FigureFile] {
        let format = figure.settings.format, dpi = figure.settings.dpi
        if let dark = figure.darkDOT, format == .svg {
            return [FigureFile(name: Self.assetName(dot: "theme auto\n" + figure.dot + "\ndark\n" + dark, format: format, dpi: dpi),
                               make: figure.bytes)]
        }
        return figure.themes.map { theme in
            FigureFile(name: Self.assetName(dot: theme.dot, format: format, dpi: dpi), make: theme.bytes)
        }
    }

    /// `animate: true`: the block's figure as one animated SVG or APNG (a light and a dark
    /// APNG with --theme auto and PNG), the steps 900 ms each.
    private func animationFiles(_ figure: Figure) throws -> [FigureFile] {
        let format = figure.settings.format, dpi = figure.settings.dpi
        guard format == .svg || format == .png else {
            throw Failure(file: figure.name, "animate: true makes an animated SVG or PNG, not \(format.rawValue); use --format svg or png")
        }
        let ms = Figure.defaultFrameMs
        let themes: [(figure: Figure, key: String)] = format == .png
            ? figure.themes.map { ($0, $0.dot) }
            : [(figure, figure.darkPlan == nil ? figure.dot : "theme auto\n" + figure.dot)]
        return themes.map { theme in
            FigureFile(name: Self.assetName(dot: "animate \(ms)\n" + theme.key, format: format, dpi: dpi)) {
                try theme.figure.animation(frameMs: ms)
            }
        }
    }

    /// `steps: true`: one image per step, in order (each SVG for light and dark pages with
    /// --theme auto). The frames are drawn together, once, when the first is needed.
    private func stepFiles(_ figure: Figure) throws -> [FigureFile] {
        let format = figure.settings.format, dpi = figure.settings.dpi
        guard format == .svg || format == .png else {
            throw Failure(file: figure.name, "steps: true makes SVG or PNG frames, not \(format.rawValue); use --format svg or png")
        }
        if figure.darkPlan != nil && format != .svg {
            throw Failure(file: figure.name, "steps: true with --theme auto makes SVG frames (one for light and dark pages); use --format svg")
        }
        let count = try figure.steps().count
        let key = "steps\n" + (figure.darkDOT.map { "theme auto\n" + $0 + "\n" } ?? "") + figure.dot
        let frames = LazyFrames { try figure.frames() }
        return (0..<count).map { k in
            FigureFile(name: Self.assetName(dot: "frame \(k)\n" + key, format: format, dpi: dpi)) { try frames.get()[k] }
        }
    }

    /// The image lines of a block, the way the site shows them. Jekyll (kramdown) gets each
    /// image's size as attributes, so that themes like Chirpy lay it out before it loads, and
    /// a light and dark pair as Chirpy's `.light` and `.dark` images; MkDocs gets Material's
    /// `#only-light` / `#only-dark`; Hugo and plain pages a `<picture>` with a dark `<source>`.
    static func figure(alt: String, images: [(file: String, size: FigureSize?)], site: PostSite.Kind,
                       link: (String) -> String, auto: Bool) -> MarkdownFigure {
        func sizeAttributes(_ size: FigureSize?, _ extra: String) -> String {
            guard site == .jekyll else { return "" }
            var parts: [String] = extra.isEmpty ? [] : [extra]
            if let size { parts += ["width=\"\(size.width)\"", "height=\"\(size.height)\""] }
            return parts.isEmpty ? "" : "{: " + parts.joined(separator: " ") + " }"
        }
        guard auto, images.count == 2 else {
            return MarkdownFigure(alt: alt, images: images.map { MarkdownFigure.Image(link: link($0.file), attributes: sizeAttributes($0.size, "")) })
        }
        switch site {
        case .jekyll:
            return MarkdownFigure(alt: alt, images: [
                MarkdownFigure.Image(link: link(images[0].file), attributes: sizeAttributes(images[0].size, ".light")),
                MarkdownFigure.Image(link: link(images[1].file), attributes: sizeAttributes(images[1].size, ".dark")),
            ])
        case .mkdocs:
            return MarkdownFigure(alt: alt, images: [
                MarkdownFigure.Image(link: link(images[0].file) + "#only-light"),
                MarkdownFigure.Image(link: link(images[1].file) + "#only-dark"),
            ])
        case .hugo, .plain:
            return MarkdownFigure(alt: alt, images: images.map { MarkdownFigure.Image(link: link($0.file)) },
                                  form: .picture(width: images[0].size?.width, height: images[0].size?.height))
        }
    }

    /// `bpgraph-<12 hex>.<ext>`: the first 12 hex digits of the SHA-256 of the figure's DOT
    /// (which holds the spec's values and every look option), the format, the resolution of a
    /// PNG and bpgraph's version.
    static func assetName(dot: String, format: OutputFormat, dpi: Double) -> String {
        let key = "bpgraph \(BPGraphVersion.string)\nformat \(format.rawValue)\n" + (format == .png ? "dpi \(Renderer.format(dpi))\n" : "") + dot
        return "bpgraph-" + SHA256.hex(Array(key.utf8)).prefix(12) + "." + format.rawValue
    }
}

/// Frames made once, by whichever file asks first.
final class LazyFrames {
    private let make: () throws -> [[UInt8]]
    private var made: [[UInt8]]?

    init(_ make: @escaping () throws -> [[UInt8]]) { self.make = make }

    func get() throws -> [[UInt8]] {
        if let made { return made }
        let frames = try make()
        made = frames
        return frames
    }
}

/// A figure's size in CSS pixels, as an `<img>` shows it: an SVG's points × 4/3, a PNG's
/// pixels at 96 per inch (so a 144 dpi PNG shows as large as the SVG). None for PDF.
struct FigureSize: Equatable {
    var width: Int
    var height: Int

    init?(_ bytes: [UInt8], format: OutputFormat, dpi: Double) {
        switch format {
        case .png:
            guard bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
            func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
            width = Int((Double(word(16)) * 96 / dpi).rounded())
            height = Int((Double(word(20)) * 96 / dpi).rounded())
        case .svg:
            let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
            guard let svg = head.range(of: "<svg") else { return nil }
            let tag = head[svg.upperBound...].prefix { $0 != ">" }
            func points(_ name: String) -> Double? {
                guard let start = tag.range(of: " \(name)=\"") else { return nil }
                let value = tag[start.upperBound...].prefix { $0 != "\"" }
                let number = value.hasSuffix("pt") ? value.dropLast(2) : value.hasSuffix("px") ? value.dropLast(2) : value
                guard let x = Double(number) else { return nil }
                return value.hasSuffix("px") ? x : x * 4 / 3
            }
            guard let w = points("width"), let h = points("height") else { return nil }
            width = Int(w.rounded())
            height = Int(h.rounded())
        default:
            return nil
        }
    }
}
