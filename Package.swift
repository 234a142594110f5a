// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "bpgraph",
    products: [
        .library(name: "BPGraph", targets: ["BPGraph"]),
        .library(name: "BPGraphRender", targets: ["BPGraphRender"]),
        .executable(name: "bpgraph", targets: ["bpgraph"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // spec text → GraphSpec → Graph → EvaluatedGraph → DOT text. Pure Swift: no C, no file I/O.
        .target(name: "BPGraph", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Graphviz's C API (libgvc, found through pkg-config). Imported by BPGraphRender only.
        .systemLibrary(name: "CGraphviz", pkgConfig: "libgvc",
                       providers: [.apt(["libgraphviz-dev"]), .brew(["graphviz"])]),
        // cairo's C API (found through pkg-config), for the raster device's image surfaces.
        .systemLibrary(name: "CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"]), .brew(["cairo"])]),
        // DOT text → image bytes, in-process through libgvc: the only target that touches C.
        // Optimized in debug builds too: its layout and label placement are pure Swift
        // geometry, several times slower unoptimized, and every render test and CLI test
        // runs them. (unsafeFlags: SwiftPM refuses them in a dependency required by version;
        // drop this if another package comes to depend on BPGraphRender that way.)
        .target(name: "BPGraphRender", dependencies: ["BPGraph", "CGraphviz", "CCairo"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The command line: thin commands over the library.
        .executableTarget(name: "bpgraph", dependencies: [
            "BPGraph",
            "BPGraphRender",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "BPGraphTests", dependencies: ["BPGraph"], exclude: ["DOTGolden"]),
        // What the test targets share (running work on threads of its own).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Renders through libgvc: geometry of the SVGs, formats, escaping, memory.
        .testTarget(name: "BPGraphRenderTests", dependencies: ["BPGraph", "BPGraphRender", "TestSupport"], exclude: ["Corpus"]),
        // Runs the built executable as a user would: exit codes, stdin, messages.
        .testTarget(name: "bpgraphCLITests", dependencies: ["bpgraph", "TestSupport"]),
        // Release-mode benchmarks: swift run -c release bpgraph-bench
        .executableTarget(name: "bpgraph-bench", dependencies: ["BPGraph", "BPGraphRender"], path: "Benchmarks/bpgraph-bench"),
    ],
    swiftLanguageModes: [.v5]
)
