import BPGraph
@testable import bpgraph
import Testing

@Suite("eval's table")
struct EvalTableTests {
    @Test("a tensor keeps every axis: one bracket per axis, as numpy prints it")
    func everyAxis() {
        #expect(EvalTable.format(Tensor(0.5)) == "0.5")
        #expect(EvalTable.format(Tensor(vector: [1, 2])) == "[1, 2]")
        #expect(EvalTable.format(Tensor(matrix: [[1, 2], [3, 4]])) == "[[1, 2], [3, 4]]")
        #expect(EvalTable.format(Tensor(shape: [1, 2, 2], data: [1, 2, 3, 4])) == "[[[1, 2], [3, 4]]]")
        #expect(EvalTable.format(Tensor(shape: [2, 1, 2], data: [1, 2, 3, 4])) == "[[[1, 2]], [[3, 4]]]")
        #expect(EvalTable.format(Tensor(shape: [2, 0], data: [])) == "[[], []]")
        #expect(EvalTable.format(Tensor.zeros([65])) == "65 values (see --json)")
    }
}

@Suite("fingerprints")
struct FingerprintTests {
    @Test("XXH64 gives the published values (seed 0), at every length branch")
    func vectors() {
        #expect(XXH64.hex(XXH64.hash("")) == "ef46db3751d8e999")
        #expect(XXH64.hex(XXH64.hash("a")) == "d24ec4f1a98c6e5b")
        #expect(XXH64.hex(XXH64.hash("abc")) == "44bc2cf5ad770999")
        #expect(XXH64.hex(XXH64.hash("Nobody inspects the spammish repetition")) == "fbcea83c8a378bf1")
        // The 8-byte loop: alone (8 bytes), three times with a 1-byte tail (26), after a
        // 32-byte stripe (40, 72). Reference values from Python's xxhash package.
        #expect(XXH64.hex(XXH64.hash("12345678")) == "d2d02f08cf7cfd4a")
        #expect(XXH64.hex(XXH64.hash("abcdefghijklmnopqrstuvwxyz")) == "cfe1f278fa89835c")
        #expect(XXH64.hex(XXH64.hash("Nobody inspects the spammish repetition!")) == "e47e9a81618edb79")
        #expect(XXH64.hex(XXH64.hash("The quick brown fox jumps over the lazy dog, twice: the quick brown fox.")) == "05ddddec682d9f58")
    }

    @Test("a fingerprint changes with the spec and with the context, and only with them")
    func fingerprint() {
        let a = Fingerprint(context: ["bpgraph 1", "dpi 144"]), b = Fingerprint(context: ["bpgraph 1", "dpi 72"])
        #expect(a.of(spec: "{}") == a.of(spec: "{}"))
        #expect(a.of(spec: "{}") != a.of(spec: "{ }"))
        #expect(a.of(spec: "{}") != b.of(spec: "{}"))
    }
}
