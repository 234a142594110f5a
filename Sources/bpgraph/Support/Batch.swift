import BPGraph
import BPGraphRender
import Dispatch
import Foundation

/// One spec to render: where it comes from and where it goes.
struct BatchJob: Sendable {
    var spec: String
    var output: String
    var format: OutputFormat
    /// The output's path inside the batch's output directory (the manifest's key);
    /// nil for a single file.
    var relative: String?
    /// A spec given on the command line (`-e`) rather than read from `spec`.
    var given: GraphSpec?

    init(spec: String, output: String, format: OutputFormat, relative: String? = nil, given: GraphSpec? = nil) {
        self.spec = spec
        self.output = output
        self.format = format
        self.relative = relative
        self.given = given
    }
}

/// Finding the specs of a batch (and the files `watch` watches: the same function):
/// files as given, directories recursively, hidden files and folders skipped. Symbolic
/// links are followed, and each real directory (device and inode) is read once, so a
/// link back up the tree (`l1 -> .`) adds nothing and the walk always ends. Each spec's
/// output name mirrors its name: `dir/sub/a.json` given as `dir` renders to
/// `OUT/sub/a.png`, a file given by name to `OUT/a.png`.
enum BatchPlan {
    struct Input: Equatable {
        var path: String
        /// The output's path inside the output directory, without the extension.
        var relativeBase: String
    }

    static func expand(_ arguments: [String]) throws -> (inputs: [Input], sawDirectory: Bool) {
        var inputs: [Input] = []
        var sawDirectory = false
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if argument != "-", FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
                sawDirectory = true
                var found: [Input] = []
                var visited: Set<FileIdentity> = []
                walk(argument, relative: "", into: &found, visited: &visited)
                if found.isEmpty {
                    throw Failure(file: argument, "no spec files (.json, .yaml, .yml) in the directory or its sub-folders")
                }
                inputs += found
            } else {
                let base = argument == "-" ? "figure" : ((argument as NSString).lastPathComponent as NSString).deletingPathExtension
                inputs.append(Input(path: argument, relativeBase: base))
            }
        }
        return (inputs, sawDirectory)
    }

    /// A directory's identity: two paths (through links) to one directory have the same.
    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            // dev_t is signed on Darwin, unsigned on Linux.
            device = UInt64(truncatingIfNeeded: info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    private static func walk(_ directory: String, relative: String, into found: inout [Input], visited: inout Set<FileIdentity>) {
        guard let identity = FileIdentity(directory), visited.insert(identity).inserted else { return }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var folders: [String] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                folders.append(name)
            } else if SpecFormat.from(fileName: name) != nil {
                let base = (name as NSString).deletingPathExtension
                found.append(Input(path: path, relativeBase: relative.isEmpty ? base : relative + "/" + base))
            }
        }
        // Files of a folder first, then its sub-folders, each sorted by name.
        for name in folders {
            walk((directory as NSString).appendingPathComponent(name),
                 relative: relative.isEmpty ? name : relative + "/" + name, into: &found, visited: &visited)
        }
    }
}

extension RenderCommand {
    /// Every file this render reads, computed one way for `render` and `watch`: the spec
    /// files (a directory's specs found as `BatchPlan.expand` finds them, recursively; a
    /// directory with none yet stands for itself, so its first spec is seen), the posts,
    /// and the theme file. `watch` polls exactly these.
    func inputFiles() -> [String] {
        var files: [String] = []
        for spec in specs {
            let found = (try? BatchPlan.expand([spec]))?.inputs.map(\.path) ?? []
            files += found.isEmpty ? [spec] : found
        }
        if let theme = figure.themeFile { files.append(theme) }
        return files
    }
}

/// Everything a batch needs besides its jobs.
struct BatchSettings {
    var options: FigureOptions
    var dpi: Double
    var maxNodes: Int
    var inputFormat: SpecFormat?
    /// Render even when the manifest says an output is up to date.
    var force: Bool
    /// No progress bar and no summary; errors only.
    var quiet: Bool
    /// Still figures, or animations (`--animate`) with this time per step.
    var animationFrameMs: Int?
    /// Worker threads (Graphviz itself runs on one at a time).
    var workers: Int
    /// The fingerprint's context lines: options, theme, versions (`Fingerprint`).
    var fingerprintContext: [String]
}

/// Renders many specs in one process, through the one Graphviz context.
///
/// Each worker takes the next spec and reads, decodes, evaluates and writes its DOT
/// on its own; Graphviz's layout and drawing run one figure at a time (the
/// `Renderer`'s lock); PNG encoding and writing the file run on the worker again,
/// while Graphviz draws the next figure. Results are reported in input order, so
/// messages come out the same on every run. Outputs are byte-identical to a
/// single-file render: both make a `Figure` and write its `bytes()`.
final class BatchRunner: @unchecked Sendable {
    /// What a job leaves behind until the batch ends: never the output's bytes (a batch
    /// of 10,000 figures would hold them all), only what the manifest records of them.
    enum Result {
        case rendered(BatchCache.Entry?)
        case skipped
        case failed([String])
    }

    let settings: BatchSettings
    let fingerprint: Fingerprint

    init(settings: BatchSettings) {
        self.settings = settings
        self.fingerprint = Fingerprint(context: settings.fingerprintContext)
    }

    /// Renders every job into `directory` (the batch's output folder, holding the
    /// manifest). Returns the counts; errors have been printed.
    func run(_ jobs: [BatchJob], directory: String) -> BatchProgress.Counts {
        // Temporaries of a batch that was killed mid-write, in every folder this one writes to.
        for folder in Set(jobs.map { ($0.output as NSString).deletingLastPathComponent }) {
            AtomicFile.removeDeadTemporaries(in: folder)
        }
        var cache = BatchCache(directory: directory)
        let progress = BatchProgress(total: jobs.count, showBar: !settings.quiet && jobs.count > 1 && BatchProgress.stderrIsTerminal)
        let frozenCache = cache
        var results = [Result?](repeating: nil, count: jobs.count)
        let lock = NSLock()
        var next = 0, reported = 0

        let workers = max(1, min(settings.workers, jobs.count))
        results.withUnsafeMutableBufferPointer { slots in
            let slots = UnsafeSendable(slots)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    lock.lock()
                    let index = next
                    next += 1
                    lock.unlock()
                    guard index < jobs.count else { return }
                    let result = self.process(jobs[index], cache: frozenCache)
                    lock.lock()
                    slots.value[index] = result
                    // Report every finished job whose predecessors have all been reported.
                    while reported < jobs.count, let done = slots.value[reported] {
                        switch done {
                        case .rendered: progress.finished(.rendered)
                        case .skipped: progress.finished(.skipped)
                        case .failed(let lines): progress.finished(.failed(lines))
                        }
                        reported += 1
                    }
                    lock.unlock()
                }
            }
        }

        for (job, result) in zip(jobs, results) {
            guard let relative = job.relative else { continue }
            switch result {
            case .rendered(let entry?)?: cache.record(relative, entry)
            case .failed?: cache.forget(relative)
            default: break
            }
        }
        do { try cache.save() } catch {
            progress.finished(.problem(Failure(error).lines.map { $0 + " (the cache of unchanged outputs was not saved)" }))
        }
        let counts = progress.current
        progress.close(quiet: settings.quiet)
        return counts
    }

    /// Renders one spec to its output (a file, or standard output for "-").
    func process(_ job: BatchJob, cache: BatchCache?) -> Result {
        do {
            var print: String?
            let settings = FigureSettings(options: self.settings.options, format: job.format, dpi: self.settings.dpi,
                                          maxNodes: self.settings.maxNodes)
            let figure: Figure
            if let given = job.given {
                figure = try Figure(spec: given, name: SpecInput.displayName(job.spec), settings: settings)
            } else {
                let text = try SpecInput.read(job.spec)
                if let relative = job.relative, job.output != "-" {
                    print = fingerprint.of(spec: text)
                    if !self.settings.force, let cache, cache.isFresh(relative, fingerprint: print!) { return .skipped }
                }
                figure = try Figure(text: text, file: SpecInput.displayName(job.spec), format: self.settings.inputFormat, settings: settings)
            }
            let bytes = try self.settings.animationFrameMs.map { try figure.animation(frameMs: $0) } ?? figure.bytes()
            if job.output == "-" {
                try Terminal.write(bytes)
            } else {
                if let relative = job.relative, relative.contains("/") {
                    let parent = (job.output as NSString).deletingLastPathComponent
                    do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
                    catch { throw Failure(file: parent, "cannot create the directory") }
                }
                try AtomicFile.write(bytes, to: job.output)
            }
            return .rendered(print.map { BatchCache.Entry(fingerprint: $0, bytes: bytes) })
        } catch {
            if job.output != "-" { AtomicFile.removeStale(job.output) }
            return .failed(Failure(error).lines)
        }
    }
}

/// A value handed to `concurrentPerform`'s workers, which touch it only under a lock.
private struct UnsafeSendable<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
