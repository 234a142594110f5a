import ArgumentParser
import BPGraph
import BPGraphRender
import Foundation

/// `render post.md --assets DIR [-o OUT.md] [--replace]`: the options.
struct PostOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Markdown posts: the folder the figures are written to (default: the written post's folder).",
                               valueName: "dir"))
    var assets: String?

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
            if replace { throw ValidationError("--replace is for Markdown posts (.md)") }
            return
        }
        if posts.count != specs.count {
            throw ValidationError("render Markdown posts and spec files in separate commands")
        }
        if format == .dot { throw ValidationError("a post links images: use --format svg, png or pdf") }
    }
}

extension RenderCommand {
    /// Renders each post's blocks and writes the posts. Every block that can be rendered is,
    /// and every post is written, even when some blocks fail; the failures are reported
    /// (`post.md:23: …`) and the exit code is 1. A failed block is left as it was, with the
    /// image line an earlier run put after it, if any.
    func renderPosts() throws {
        let options = try figure.options()
        let format = self.format ?? .svg
        let jobs = try postJobs()
        var failures: [String] = []
        for (source, destination) in jobs {
            do { failures += try renderPost(source, to: destination, options: options, format: format) }
            catch { failures += Failure(error).lines }
        }
        if !failures.isEmpty { throw Failure(failures) }
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
            throw Failure("\(output): a post is written to a .md file or into an existing folder")
        }
        if output == "-" { throw Failure("several posts cannot all be written to standard output; name a folder with -o DIR") }
        if exists && !isDirectory.boolValue { throw Failure("\(output): several posts are written into a folder, not into one file") }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        catch { throw Failure("\(output): cannot create the directory") }
        var seen: [String: String] = [:]
        return try specs.map { post in
            let destination = (output as NSString).appendingPathComponent((post as NSString).lastPathComponent)
            if let other = seen[destination] { throw Failure("\(post) and \(other) would both be written to \(destination)") }
            seen[destination] = post
            return (post, destination)
        }
    }

    /// Renders one post; returns the problems of its blocks.
    private func renderPost(_ path: String, to destination: String, options: FigureOptions, format: OutputFormat) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw Failure("\(path): no such file") }
        if isDirectory.boolValue { throw Failure("\(path): is a directory, expected a Markdown post") }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("\(path): cannot read the file") }
        let post: MarkdownPost
        do { post = try MarkdownPost([UInt8](data), file: path) } catch { throw Failure(error) }
        var problems = post.problems.map(\.description)

        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path }
        let postFolder = destination == "-" ? absolute(".") : (absolute(destination) as NSString).deletingLastPathComponent
        let assetFolder = self.post.assets.map(absolute) ?? postFolder
        if !post.blocks.isEmpty {
            do { try FileManager.default.createDirectory(atPath: assetFolder, withIntermediateDirectories: true) }
            catch { throw Failure("\(self.post.assets ?? assetFolder): cannot create the assets folder") }
        }

        var figures: [Int: MarkdownFigure] = [:]
        for (index, block) in post.blocks.enumerated() {
            let name = block.displayName(in: path)
            do {
                let decoded: MarkdownBlockSpec
                let graph: Graph
                do {
                    decoded = try block.spec(in: path)
                    graph = try Graph(decoded.spec)
                } catch { throw Failure(error) }
                let dot = try FigurePipeline.dot(graph, name: name, options: options, maxNodes: maxNodes)
                let asset = (assetFolder as NSString).appendingPathComponent(Self.assetName(dot: dot, format: format, dpi: dpi))
                // Named by a hash of what decides its bytes: an existing file is this figure already.
                if !FileManager.default.fileExists(atPath: asset) {
                    let bytes = try FigurePipeline.image(dot: dot, name: name, format: format, dpi: dpi)
                    try AtomicFile.write(bytes, to: asset)
                }
                figures[index] = MarkdownFigure(link: MarkdownPost.linkTarget(MarkdownPost.relativePath(from: postFolder, to: asset)),
                                                alt: decoded.alt)
            } catch {
                problems += Failure(error).lines
            }
        }

        let (bytes, rewriteProblems) = post.rewritten(figures: figures, replace: self.post.replace)
        problems += rewriteProblems.map(\.description)
        if destination == "-" {
            try Terminal.write(bytes)
        } else if FileManager.default.contents(atPath: destination).map([UInt8].init) != bytes {
            let permissions = (try? FileManager.default.attributesOfItem(atPath: destination))?[.posixPermissions]
                ?? (destination == path ? nil : (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions])
            let folder = (destination as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                catch { throw Failure("\(folder): cannot create the directory") }
            }
            try AtomicFile.write(bytes, to: destination)
            if let permissions { try? FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: destination) }
        }
        return problems
    }

    /// `bpgraph-<12 hex>.<ext>`: the first 12 hex digits of the SHA-256 of the figure's DOT
    /// (which holds the spec's values and every look option), the format, the resolution of a
    /// PNG and bpgraph's version.
    static func assetName(dot: String, format: OutputFormat, dpi: Double) -> String {
        let key = "bpgraph \(BPGraphVersion.string)\nformat \(format.rawValue)\n" + (format == .png ? "dpi \(Renderer.format(dpi))\n" : "") + dot
        return "bpgraph-" + SHA256.hex(Array(key.utf8)).prefix(12) + "." + format.rawValue
    }
}
