// A tiny reproducible random generator for shuffles and splits, so SiftData needs no engine
// dependency: SplitMix64 expands the seed into a xoshiro256** state (the same construction as
// SiftTensor's generator, so a seed means the same stream in both modules).

/// A seeded xoshiro256** generator; the whole stream is fixed by the seed on every platform.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (bound > 0), unbiased (Lemire's multiply-and-reject), with an
    /// algorithm fixed here so shuffles do not change with the standard library's version.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound")  // programmer error, not user data
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `array` in place (Fisher–Yates, from the back).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            let other = nextIndex(below: index + 1)
            if other != index { array.swapAt(index, other) }
        }
    }

    /// The integers `0..<count` in a random order.
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<max(count, 0))
        shuffle(&indices)
        return indices
    }

    private func rotate(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
