@testable import bpgraph
import Testing

@Suite("fingerprints")
struct FingerprintTests {
    @Test("XXH64 gives the published values (seed 0), at every length branch")
    func vectors() {
        #expect(XXH64.hex(XXH64.hash("")) == "ef46db3751d8e999")
        #expect(XXH64.hex(XXH64.hash("a")) == "d24ec4f1a98c6e5b")
        #expect(XXH64.hex(XXH64.hash("abc")) == "44bc2cf5ad770999")
        #expect(XXH64.hex(XXH64.hash("Nobody inspects the spammish repetition")) == "fbcea83c8a378bf1")
    }

    @Test("a fingerprint changes with the spec and with the context, and only with them")
    func fingerprint() {
        let a = Fingerprint(context: ["bpgraph 1", "dpi 144"]), b = Fingerprint(context: ["bpgraph 1", "dpi 72"])
        #expect(a.of(spec: "{}") == a.of(spec: "{}"))
        #expect(a.of(spec: "{}") != a.of(spec: "{ }"))
        #expect(a.of(spec: "{}") != b.of(spec: "{}"))
    }
}
