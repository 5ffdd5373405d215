// The pool of large tensor buffers: size classes cover every request with little slack, a freed
// block is handed out again, and pooled tensors compute exactly like fresh ones.
import Testing
@testable import SiftTensor

@Suite("tensor buffer pool", .serialized)
struct TensorBufferPoolTests {
    @Test("every size class fits its requests with at most 12.5 % slack, and classes are consistent")
    func sizeClasses() {
        var bytes = TensorBufferPool.minimumBytes
        while bytes < 1 << 31 {
            for request in [bytes, bytes + 1, bytes + 4_093, bytes * 9 / 8, bytes * 3 / 2 - 1] {
                let index = TensorBufferPool.classIndex(request)
                let size = TensorBufferPool.classSize(index)
                #expect(size >= request, "class \(index) (\(size) bytes) is smaller than the request \(request)")
                #expect(Double(size) <= Double(request) * 1.125 + 64, "class \(index) wastes too much for \(request)")
                #expect(TensorBufferPool.classIndex(size) == index, "class \(index) does not map back to itself")
                if index > 0 { #expect(TensorBufferPool.classSize(index - 1) < request, "a smaller class would hold \(request)") }
            }
            bytes = bytes * 5 / 4
        }
    }

    @Test("a freed large buffer is reused by the next allocation of its size")
    func reuse() throws {
        guard TensorBufferPool.capacityBytes > 8 << 20 else {
            print("skipped: SIFT_TENSOR_POOL_MB leaves the pool under 8 MiB, so nothing is cached")
            return
        }
        // A size no other suite uses; other suites run concurrently, so one of several tries must
        // see its own block come back (a pool that never reuses fails every try).
        let count = 1_234_567
        var reused = false
        for _ in 0..<20 where !reused {
            var first: TensorStorage? = TensorStorage(uninitializedCount: count)
            let address = first!.pointer
            let hitsBefore = TensorBufferPool.statistics.hits
            first = nil
            let second = TensorStorage(uninitializedCount: count)
            reused = second.pointer == address && TensorBufferPool.statistics.hits > hitsBefore
        }
        #expect(reused, "a freed 4.9 MB buffer was never handed out again")
    }

    @Test("a miss frees cached blocks no request fitted, so the footprint does not grow by the capacity")
    func missEvicts() throws {
        guard TensorBufferPool.capacityBytes > 64 << 20 else {
            print("skipped: SIFT_TENSOR_POOL_MB leaves the pool under 64 MiB")
            return
        }
        // Cache a 12 MB block, then ask for a 20 MB one (a class nothing cached fits): the miss
        // must free cached blocks worth at least 20 MB, our 12 MB one among them (largest first).
        // Other suites run concurrently and may take the cached block first, so one of several
        // tries must see an eviction (a pool that never evicts fails every try). Each try asks
        // for a new size (20 MB, 28 MB, …): the previous try's block, cached when freed, must not
        // serve it.
        var evicted = false
        for attempt in 0..<20 where !evicted {
            var cached: TensorStorage? = TensorStorage(uninitializedCount: 3_012_345)
            _ = cached!.pointer
            cached = nil
            let before = TensorBufferPool.statistics.evictions
            let fresh = TensorStorage(uninitializedCount: 5_123_457 + attempt * 2_000_000)
            evicted = TensorBufferPool.statistics.evictions > before
            _ = fresh.pointer
        }
        #expect(evicted, "a miss with a 12 MB block cached never evicted anything")
        TensorBufferPool.drain()
    }

    @Test("small buffers bypass the pool")
    func smallBuffers() {
        #expect(TensorBufferPool.reservedBytes(for: 1_000) == 1_000)
        #expect(TensorBufferPool.reservedBytes(for: TensorBufferPool.minimumBytes - 4) == TensorBufferPool.minimumBytes - 4)
    }

    @Test("results computed in reused buffers equal results in fresh ones")
    func reusedBuffersComputeTheSame() throws {
        let a = try Tensor(shape: [300, 400], values: (0..<120_000).map { Float($0 % 97) / 97 - 0.5 })
        let b = try Tensor(shape: [400, 350], values: (0..<140_000).map { Float($0 % 89) / 89 - 0.5 })
        let first = try a.matmul(b).softmax(axis: -1).scalars
        for _ in 0..<3 {
            // The temporaries of the previous round are back in the pool; the next round reuses them.
            #expect(try a.matmul(b).softmax(axis: -1).scalars == first)
        }
    }
}
