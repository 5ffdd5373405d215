// A seeded random generator, identical on every platform: SplitMix64 seeding a xoshiro256**
// stream; uniform floats from the top 24 bits; normals by Box–Muller in Float64.

/// A reproducible pseudo-random generator for initialisation, dropout and shuffling.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
        spareNormal = nil
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Standard normal N(0, 1) (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = nextUniformDouble()
        while u1 <= Double.leastNormalMagnitude { u1 = nextUniformDouble() }
        let u2 = nextUniformDouble()
        let radius = (-2 * _log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * _sin(angle)
        return radius * _cos(angle)
    }

    /// A tensor of N(mean, std²) values.
    public mutating func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, requiresGrad: Bool = false) throws -> Tensor {
        let out = try Tensor.zeros(shape, requiresGrad: requiresGrad)
        let p = out.storage.pointer
        for i in 0..<out.count { p[i] = mean + std * Float(nextNormal()) }
        return out
    }

    /// A tensor of uniform values in [low, high).
    public mutating func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, requiresGrad: Bool = false) throws -> Tensor {
        let out = try Tensor.zeros(shape, requiresGrad: requiresGrad)
        let p = out.storage.pointer
        for i in 0..<out.count { p[i] = low + (high - low) * nextUniform() }
        return out
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool {
        a.state == b.state && a.spareNormal == b.spareNormal
    }

    enum CodingKeys: String, CodingKey { case state, spareNormal }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let s = try c.decode([UInt64].self, forKey: .state)
        guard s.count == 4 else {
            throw DecodingError.dataCorruptedError(forKey: .state, in: c, debugDescription: "generator state needs 4 words, got \(s.count)")
        }
        state = (s[0], s[1], s[2], s[3])
        spareNormal = try c.decodeIfPresent(Double.self, forKey: .spareNormal)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode([state.0, state.1, state.2, state.3], forKey: .state)
        try c.encodeIfPresent(spareNormal, forKey: .spareNormal)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
