import ArgumentParser
import BPGraph
import Foundation

/// SIGINT/SIGTERM seen while watching: the first stops the loop after the current render,
/// a second one exits at once.
private var interruptions: sig_atomic_t = 0

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Render specs or posts, then render them again whenever they change.",
        discussion: """
            Takes everything `render` takes (spec files, directories of specs, Markdown posts, \
            -o, --format, --assets, …) except --expr and standard input. Looks for changes \
            (modification time, size, file identity) every --interval milliseconds, waits until \
            the files have been quiet for 100 ms (editors write in steps), then renders \
            everything again and prints one line. Errors are printed as `render` prints them and \
            watching goes on. Ctrl-C stops it (exit 0).
            """)

    @OptionGroup var render: RenderCommand

    @Option(help: "How often to look for changes, in milliseconds.")
    var interval: Int = 200

    func validate() throws {
        if render.expression.isGiven { throw ValidationError("watch needs files that can change; --expr cannot (use render -e)") }
        if render.specs.contains("-") { throw ValidationError("standard input cannot be watched; name a file") }
        if render.output == "-" { throw ValidationError("watch writes files: name the output with -o FILE or -o DIR") }
        guard (20...10_000).contains(interval) else { throw ValidationError("--interval must be from 20 to 10000 milliseconds") }
    }

    func run() throws {
        let handler: @convention(c) (Int32) -> Void = { _ in
            interruptions += 1
            if interruptions > 1 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have blocked them (spawned processes inherit the mask): Ctrl-C must work.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)

        try Terminal.write("watching \(watchedDescription) (Ctrl-C stops)\n")
        var last = try renderOnce(changed: [])
        while interruptions == 0 {
            pause(milliseconds: interval)
            var current = snapshot()
            if current == last { continue }
            // Debounce: wait until nothing has changed for 100 ms (at most 2 s).
            for _ in 0..<20 where interruptions == 0 {
                pause(milliseconds: 100)
                let again = snapshot()
                if again == current { break }
                current = again
            }
            if interruptions != 0 { break }
            last = try renderOnce(changed: Self.changes(from: last, to: current))
        }
        try Terminal.write("stopped watching\n")
    }

    /// One `render` run; prints what it did or its errors (watching goes on; only a failed
    /// write to standard output, or a usage error such as several specs without -o DIR,
    /// ends it). Returns the state the next change is measured
    /// against: the files as they were just before rendering, so an edit made while it
    /// rendered is seen next time, except for the files the render itself writes. After a
    /// change, the line names the files that changed (`s.json changed; rendered …`).
    private func renderOnce(changed: [String]) throws -> [String: FileState] {
        let before = snapshot()
        let start = Date()
        var message: String
        do {
            try render.run()
            let ms = Int((Date().timeIntervalSince(start) * 1000).rounded())
            let cause = changed.isEmpty ? "" : MessageText.escaped(changed.joined(separator: ", ")) + " changed; "
            message = "\(Self.clock()) \(cause)rendered \(renderedDescription) (\(ms) ms)\n"
        } catch let error where Usage.isUsage(error) {
            // The command line cannot render whatever the files hold: stop (exit code 2).
            throw error
        } catch {
            let lines = Failure(error).lines
            Terminal.printErrors(lines)
            message = "\(Self.clock()) \(lines.count == 1 ? "1 problem" : "\(lines.count) problems"); still watching\n"
        }
        try Terminal.write(message)
        return Self.baseline(before: before, after: snapshot(), ownOutputs: ownOutputs)
    }

    /// The files a render writes among the watched ones: posts rewritten in place.
    var ownOutputs: Set<String> {
        render.output == nil ? Set(render.specs.filter(PostOptions.isPost)) : []
    }

    /// What the next round compares with: the files as they were before rendering, except
    /// bpgraph's own outputs, taken as they are after it (rewriting a post in place is not
    /// an edit). A file edited, added or removed during the render thus differs from the
    /// baseline, and renders again.
    static func baseline(before: [String: FileState], after: [String: FileState], ownOutputs: Set<String>) -> [String: FileState] {
        var baseline = before
        for file in ownOutputs { baseline[file] = after[file] }
        return baseline
    }

    private var watchedDescription: String { render.specs.joined(separator: ", ") }

    private var renderedDescription: String {
        let into = render.output.map { " → \($0)" } ?? (render.specs.contains(where: PostOptions.isPost) ? " (in place)" : "")
        return render.specs.joined(separator: ", ") + into
    }

    /// Sleeps in short steps so Ctrl-C is answered quickly.
    private func pause(milliseconds: Int) {
        var left = milliseconds
        while left > 0 && interruptions == 0 {
            let step = min(left, 50)
            usleep(useconds_t(step * 1000))
            left -= step
        }
    }

    // MARK: What is watched

    struct FileState: Equatable {
        var exists: Bool
        var size: Int64 = 0
        var seconds: Int = 0
        var nanoseconds: Int = 0
        var inode: UInt64 = 0
        var device: UInt64 = 0
    }

    /// The state of every file the render reads (`RenderCommand.inputFiles`: the named
    /// files, the spec files in named directories and their sub-folders, found exactly as a
    /// batch finds them, so new and removed specs change the set, and a theme file).
    func snapshot() -> [String: FileState] {
        var states: [String: FileState] = [:]
        for file in render.inputFiles() { states[file] = Self.state(of: file) }
        return states
    }

    /// The files that differ between two snapshots (edited, added or removed), sorted.
    static func changes(from old: [String: FileState], to new: [String: FileState]) -> [String] {
        Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }

    static func state(of path: String) -> FileState {
        var info = stat()
        guard stat(path, &info) == 0 else { return FileState(exists: false) }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return FileState(exists: true, size: Int64(info.st_size), seconds: Int(modified.tv_sec),
                         nanoseconds: Int(modified.tv_nsec), inode: UInt64(info.st_ino), device: UInt64(info.st_dev))
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
