// What the benchmark needs from the operating system, in one place: a clock, this
// process's memory, and starting a command the way a shell does (posix_spawn) with
// its wall time and peak RSS. Linux and macOS; the `#if`s are where their C types differ.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func now() -> Double {
    let t = DispatchTime.now().uptimeNanoseconds
    return Double(t) / 1e9
}

/// ru_maxrss in MB: kilobytes on Linux, bytes on macOS.
private func megabytes(maxrss: Int) -> Double {
    #if os(Linux)
    return Double(maxrss) / 1024
    #else
    return Double(maxrss) / 1_048_576
    #endif
}

/// Peak resident set size of this process so far, in MB.
func peakRSS() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return megabytes(maxrss: Int(usage.ru_maxrss))
}

/// Current resident set size, in MB (Linux reads /proc; elsewhere the peak stands in).
func currentRSS() -> Double {
    #if os(Linux)
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = Double(statm.split(separator: " ")[1]) ?? 0
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    #else
    return peakRSS()
    #endif
}

struct Spawned {
    var seconds: Double
    var status: Int32
    /// The child's peak RSS in MB. On Linux a child started with posix_spawn (vfork)
    /// begins with its parent's peak as its own, so it is meaningful only above this
    /// process's own peak (`peakRSS()`): measure while the benchmark is small.
    var peakRSS: Double
    /// User + system CPU time of the child, in seconds: what it cost, whatever else
    /// the machine was doing.
    var cpu: Double
}

/// Runs `arguments` (a path and its arguments) with stdout to /dev/null and stderr to
/// `stderrPath`, waits, and returns its wall time, status and peak RSS.
func spawn(_ arguments: [String], stderrPath: String) throws -> Spawned {
    #if canImport(Darwin)
    var actions: posix_spawn_file_actions_t? = nil
    let environment = _NSGetEnviron().pointee
    #else
    var actions = posix_spawn_file_actions_t()
    let environment = environ
    #endif
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let start = now()
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environment)
    guard spawned == 0 else { throw BenchError("cannot run \(arguments[0]): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let elapsed = now() - start
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return Spawned(seconds: elapsed, status: status, peakRSS: megabytes(maxrss: Int(usage.ru_maxrss)),
                   cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime))
}
