// Binary element-wise arithmetic with NumPy broadcasting: + − × ÷ as throwing operators.
// Shapes: a [...], b [...] (broadcast-compatible, trailing-aligned) -> y [broadcast shape].
// Backward: each input's gradient is the output gradient (times the local derivative) summed
// over the axes that input was broadcast along, so it has exactly the input's shape.
//
// Layouts are coalesced first (see Broadcast.swift): same-shape ops run as one flat SIMD loop,
// `[..., C] op [C]` as rows × a contiguous SIMD row, scalars as a splat; anything else walks
// the strides of the last coalesced dimension.

/// An element-wise binary function with a scalar and a 16-lane form.
@usableFromInline
protocol BinaryElementwiseKernel {
    static func apply(_ a: Float, _ b: Float) -> Float
    static func apply(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float>
}

@usableFromInline enum AddKernel: BinaryElementwiseKernel {
    @inline(__always) @usableFromInline static func apply(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) @usableFromInline static func apply(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a + b }
}

@usableFromInline enum SubtractKernel: BinaryElementwiseKernel {
    @inline(__always) @usableFromInline static func apply(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) @usableFromInline static func apply(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a - b }
}

@usableFromInline enum MultiplyKernel: BinaryElementwiseKernel {
    @inline(__always) @usableFromInline static func apply(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) @usableFromInline static func apply(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a * b }
}

@usableFromInline enum DivideKernel: BinaryElementwiseKernel {
    @inline(__always) @usableFromInline static func apply(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) @usableFromInline static func apply(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a / b }
}

extension Tensor {
    /// Element-wise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let out = try broadcastBinary(lhs, rhs, AddKernel.self, op: "+")
        return out.recordOp("add", inputs: [lhs, rhs]) { gradOut in
            [lhs.requiresGrad ? try gradOut.summedForBroadcast(to: lhs.shape) : nil,
             rhs.requiresGrad ? try gradOut.summedForBroadcast(to: rhs.shape) : nil]
        }
    }

    /// Element-wise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let out = try broadcastBinary(lhs, rhs, SubtractKernel.self, op: "-")
        return out.recordOp("subtract", inputs: [lhs, rhs]) { gradOut in
            var gradRight: Tensor? = nil
            if rhs.requiresGrad {
                let g = try gradOut.summedForBroadcast(to: rhs.shape)
                g.negateInPlace()
                gradRight = g
            }
            return [lhs.requiresGrad ? try gradOut.summedForBroadcast(to: lhs.shape) : nil, gradRight]
        }
    }

    /// Element-wise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let out = try broadcastBinary(lhs, rhs, MultiplyKernel.self, op: "*")
        return out.recordOp("multiply", inputs: [lhs, rhs]) { gradOut in
            [lhs.requiresGrad ? try broadcastBinary(gradOut, rhs, MultiplyKernel.self, op: "* backward").summedFresh(to: lhs.shape) : nil,
             rhs.requiresGrad ? try broadcastBinary(gradOut, lhs, MultiplyKernel.self, op: "* backward").summedFresh(to: rhs.shape) : nil]
        }
    }

    /// Element-wise quotient with broadcasting (IEEE semantics: x/0 gives ±inf or NaN).
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let out = try broadcastBinary(lhs, rhs, DivideKernel.self, op: "/")
        let savedOutput = out.storage, outputShape = out.shape
        return out.recordOp("divide", inputs: [lhs, rhs]) { gradOut in
            var gradLeft: Tensor? = nil, gradRight: Tensor? = nil
            if lhs.requiresGrad {
                gradLeft = try broadcastBinary(gradOut, rhs, DivideKernel.self, op: "/ backward").summedFresh(to: lhs.shape)
            }
            if rhs.requiresGrad {
                // d(a/b)/db = −(a/b)/b = −y/b.
                let y = Tensor(uncheckedShape: outputShape, storage: savedOutput)
                let g = try broadcastBinary(
                    broadcastBinary(gradOut, y, MultiplyKernel.self, op: "/ backward"), rhs, DivideKernel.self, op: "/ backward"
                ).summedFresh(to: rhs.shape)
                g.negateInPlace()
                gradRight = g
            }
            return [gradLeft, gradRight]
        }
    }

    /// Like `summedForBroadcast(to:)` but returns `self` when no reduction is needed: only for
    /// tensors the caller has just allocated (so handing them on cannot alias anything).
    func summedFresh(to targetShape: [Int]) throws -> Tensor {
        targetShape == shape ? self : try summedForBroadcast(to: targetShape)
    }

    /// Negates every element in place (gradient tensors only, never graph values).
    func negateInPlace() {
        let p = storage.pointer
        for i in 0..<count { p[i] = -p[i] }
    }

    /// Computes `Kernel(a, b)` with broadcasting into a new tensor (no graph).
    @inline(__always)
    static func broadcastBinary<Kernel: BinaryElementwiseKernel>(
        _ a: Tensor, _ b: Tensor, _ kernel: Kernel.Type, op: String
    ) throws -> Tensor {
        let plan = try BroadcastPlan(a.shape, b.shape, op: op)
        let out = Tensor.uninitialized(plan.outputShape)
        let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer
        let inner = plan.innerCount, rows = plan.rowCount
        let strideA = plan.innerStrideA, strideB = plan.innerStrideB
        if out.count == 0 { return out }
        if rows == 1 {
            Parallel.forEachChunk(inner, minChunk: 1 << 15) { range in
                let start = range.lowerBound
                applyRow(Kernel.self, count: range.count, a: pa + start * strideA, strideA: strideA,
                         b: pb + start * strideB, strideB: strideB, out: po + start)
            }
        } else {
            let minRows = max(1, (1 << 15) / max(inner, 1))
            Parallel.forEachChunk(rows, minChunk: minRows) { range in
                plan.forEachRow(range) { offsetA, offsetB, row in
                    applyRow(Kernel.self, count: inner, a: pa + offsetA, strideA: strideA,
                             b: pb + offsetB, strideB: strideB, out: po + row * inner)
                }
            }
        }
        return out
    }

    /// One inner row: `out[j] = f(a[j·sa], b[j·sb])`, vectorised for the strides 0 and 1.
    @inline(__always)
    static func applyRow<Kernel: BinaryElementwiseKernel>(
        _ kernel: Kernel.Type, count: Int,
        a: UnsafePointer<Float>, strideA: Int, b: UnsafePointer<Float>, strideB: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b), rawOut = UnsafeMutableRawPointer(out)
        var j = 0
        switch (strideA, strideB) {
        case (1, 1):
            while j + 16 <= count {
                let v = Kernel.apply(rawA.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self),
                                     rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
                rawOut.storeBytes(of: v, toByteOffset: j * 4, as: SIMD16<Float>.self)
                j += 16
            }
            while j < count { out[j] = Kernel.apply(a[j], b[j]); j += 1 }
        case (1, 0):
            let s = b[0], splat = SIMD16<Float>(repeating: b[0])
            while j + 16 <= count {
                let v = Kernel.apply(rawA.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), splat)
                rawOut.storeBytes(of: v, toByteOffset: j * 4, as: SIMD16<Float>.self)
                j += 16
            }
            while j < count { out[j] = Kernel.apply(a[j], s); j += 1 }
        case (0, 1):
            let s = a[0], splat = SIMD16<Float>(repeating: a[0])
            while j + 16 <= count {
                let v = Kernel.apply(splat, rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
                rawOut.storeBytes(of: v, toByteOffset: j * 4, as: SIMD16<Float>.self)
                j += 16
            }
            while j < count { out[j] = Kernel.apply(s, b[j]); j += 1 }
        default:
            while j < count { out[j] = Kernel.apply(a[j * strideA], b[j * strideB]); j += 1 }
        }
    }
}

extension Reference {
    /// a + b with broadcasting, Float64.
    public static func add(_ a: ReferenceTensor, _ b: ReferenceTensor) -> ReferenceTensor { broadcast(a, b, +) }
    /// a − b with broadcasting, Float64.
    public static func subtract(_ a: ReferenceTensor, _ b: ReferenceTensor) -> ReferenceTensor { broadcast(a, b, -) }
    /// a × b with broadcasting, Float64.
    public static func multiply(_ a: ReferenceTensor, _ b: ReferenceTensor) -> ReferenceTensor { broadcast(a, b, *) }
    /// a ÷ b with broadcasting, Float64.
    public static func divide(_ a: ReferenceTensor, _ b: ReferenceTensor) -> ReferenceTensor { broadcast(a, b, /) }
}
