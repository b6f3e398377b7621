using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// The AVX-512 loop for int8 state in offset-float maps (<see cref="QuantizationMap.IsOffsetFloat"/>), whole blocks: per 16
/// elements the codes are decoded by integer arithmetic in registers, the optimizer's float kernel runs, the parameter is
/// stored and the new state goes to one of two L1 scratch blocks while its absolute maximum is accumulated; each block is
/// encoded group by group (64 values, packed to bytes) during the next block's update, whose square roots and divisions leave
/// the vector ports idle, and the last block after the loop. Every element sees exactly the operations of
/// <see cref="QuantizationMap.Decode(byte, float)"/>, the kernel and <see cref="QuantizationMap.Encode(float, float)"/>, so the
/// result equals the block path and the composed reference bit for bit. Constants live in locals (registers), not in
/// codec structs: the generic codec loop measured 1.1 ns per AdamW element against 0.65 ns for this one (L2-resident).
/// </summary>
public static partial class CompactStateLoop
{
    /// <summary>
    /// Whether the offset-float loop takes these states: state 0 absent or int8 in <see cref="QuantizationMap.OffsetFloatSigned"/>,
    /// state 1 absent or int8 in <see cref="QuantizationMap.OffsetFloatUnsigned"/> (the layouts of Adam, SGD with momentum and
    /// Lion), at least one present. The maps' constants are compiled into the loop (memory-operand broadcasts instead of
    /// registers: with them in registers the JIT's listing of the loop showed spills).
    /// </summary>
    private static bool OffsetFloatLoopApplies(in CompactState state0, in CompactState state1)
        => (state0.IsPresent || state1.IsPresent)
            && (!state0.IsPresent || (state0.IsInt8 && ReferenceEquals(state0.Map, QuantizationMap.OffsetFloatSigned)))
            && (!state1.IsPresent || (state1.IsInt8 && ReferenceEquals(state1.Map, QuantizationMap.OffsetFloatUnsigned)));

    /// <summary>Whether any state is int8 in an offset-float map (which the generic single-pass loop does not decode).</summary>
    private static bool AnyOffsetFloat(in CompactState state0, in CompactState state1)
        => (state0.IsInt8 && state0.Map!.IsOffsetFloat) || (state1.IsInt8 && state1.Map!.IsOffsetFloat);

    // The two maps' codec constants (checked against the maps by the tests): 5 mantissa bits, so a shift of 18; e2m5 signed:
    // Emax 3, base (127 - 3) << 23, offset 2^-3; e3m5 unsigned: Emax 7, base (127 - 7) << 23, offset 2^-7, non-zero kept.
    internal const int FloatShift = 18;
    internal const int SignedBase = 124 << 23, UnsignedBase = 120 << 23;
    internal const float SignedOffset = 0.125f, UnsignedOffset = 0.0078125f;

    private static unsafe void RunOffsetFloatBlocks<T, TKernel>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        in CompactState state0, in CompactState state1, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        fixed (T* p = parameter)
        fixed (T* g = gradient)
        fixed (byte* c0 = state0.Codes.Span)
        fixed (byte* c1 = state1.Codes.Span)
        fixed (float* m0 = state0.AbsMax.Span)
        fixed (float* m1 = state1.AbsMax.Span)
        {
            if (state0.IsPresent && state1.IsPresent && PlainAdamW<T, TKernel>(kernel)) RunOffsetFloat<T, TKernel, FusedLoop.Present, FusedLoop.Present, FusedLoop.Present>(kernel, (float*)p, (float*)g, c0, m0, c1, m1, (nuint)start, (nuint)end);
            else if (state0.IsPresent && state1.IsPresent) RunOffsetFloat<T, TKernel, FusedLoop.Present, FusedLoop.Present, FusedLoop.Absent>(kernel, (float*)p, (float*)g, c0, m0, c1, m1, (nuint)start, (nuint)end);
            else if (state0.IsPresent) RunOffsetFloat<T, TKernel, FusedLoop.Present, FusedLoop.Absent, FusedLoop.Absent>(kernel, (float*)p, (float*)g, c0, m0, c1, m1, (nuint)start, (nuint)end);
            else RunOffsetFloat<T, TKernel, FusedLoop.Absent, FusedLoop.Present, FusedLoop.Absent>(kernel, (float*)p, (float*)g, c0, m0, c1, m1, (nuint)start, (nuint)end);
        }
    }

    /// <summary>
    /// Whether <paramref name="kernel"/> is AdamW in its common configuration (no maximize, L2, AMSGrad or decay after the
    /// rate; epsilon outside the root; the folded form's divisor 1; decoupled decay), which the loop runs with its constants
    /// in registers: the generic kernel broadcasts each constant at every use, eight shuffles per 16 elements. The
    /// operations and their order are <see cref="AdamKernel{T}.Invoke"/>'s (tests hold both equal bit for bit).
    /// </summary>
    private static bool PlainAdamW<T, TKernel>(in TKernel kernel) where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IFusedKernel<T>
    {
        if (typeof(TKernel) != typeof(AdamKernel<float>)) return false;
        var a = Unsafe.As<TKernel, AdamKernel<float>>(ref Unsafe.AsRef(in kernel));
        return !a.Maximize && a.L2 == 0f && !a.Amsgrad && !a.EpsilonInsideSqrt && a.SecondMomentDivisor == 1f && a.DecoupledDecay != 0f && a.PostDecay == 0f;
    }

    [SkipLocalsInit] // the 32 KB scratch is written before it is read
    private static unsafe void RunOffsetFloat<T, TKernel, H0, H1, HA>(in TKernel kernel, float* p, float* g, byte* c0, float* max0, byte* c1, float* max1,
        nuint start, nuint end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
        where H0 : struct, FusedLoop.IFlag
        where H1 : struct, FusedLoop.IFlag
        where HA : struct, FusedLoop.IFlag
    {
        const int block = BlockwiseQuantization.BlockSize;
        // [even blocks: state 0, state 1][odd blocks: state 0, state 1], on a cache-line boundary (no split loads or stores).
        float* raw = stackalloc float[4 * block + 16];
        float* scratch = (float*)(((nuint)raw + 63) & ~(nuint)63);
        var map0 = QuantizationMap.OffsetFloatSigned;
        var map1 = QuantizationMap.OffsetFloatUnsigned;
        Vector512<float> encode0 = default, encode1 = default;
        TKernel k = kernel;
        var adam = HA.Value ? Unsafe.As<TKernel, AdamKernel<float>>(ref k) : default;
        var beta1 = Vector512.Create(adam.Beta1);
        var oneMinusBeta1 = Vector512.Create(adam.OneMinusBeta1);
        var beta2 = Vector512.Create(adam.Beta2);
        var oneMinusBeta2 = Vector512.Create(adam.OneMinusBeta2);
        var epsilon = Vector512.Create(adam.Epsilon);
        var biasScale = Vector512.Create(adam.BiasScale);
        var decay = Vector512.Create(adam.DecoupledDecay);
        var negativeRate = Vector512.Create(adam.NegativeLearningRate);
        nuint previous = 0;
        bool hasPrevious = false;
        int parity = 0;
        for (nuint s = start; s < end; s += block, parity ^= 1)
        {
            nuint b = s / block;
            float* now0 = scratch + (nuint)parity * 2 * block, now1 = now0 + block;
            float* before0 = scratch + (nuint)(parity ^ 1) * 2 * block, before1 = before0 + block;
            float scale0 = H0.Value ? map0.DecodeScale(max0[b]) : 0f, scale1 = H1.Value ? map1.DecodeScale(max1[b]) : 0f;
            var decode0 = Vector512.Create(scale0);
            var decode1 = Vector512.Create(scale1);
            var shiftBack0 = Vector512.Create(-(SignedOffset * scale0));
            var shiftBack1 = Vector512.Create(-(UnsignedOffset * scale1));
            var most0 = Vector512<uint>.Zero;
            var most1 = Vector512<uint>.Zero;
            for (nuint j = 0; j < block; j += Group)
            {
                nuint i = s + j;
                // Software prefetch 4 KB ahead (the float streams) and the same elements' codes.
                PrefetchGroup(p, g, i);
                if (H0.Value) Sse.Prefetch0(c0 + i + PrefetchDistance);
                if (H1.Value) Sse.Prefetch0(c1 + i + PrefetchDistance);
                for (nuint u = 0; u < Group; u += 16)
                {
                    nuint e = i + u;
                    if (HA.Value)
                    {
                        // AdamKernel.Invoke for this configuration, operation for operation.
                        var gp = Vector512.Load(p + e);
                        var gg = Vector512.Load(g + e);
                        var m = beta1 * DecodeSigned(c0 + e, decode0, shiftBack0) + oneMinusBeta1 * gg;
                        var v = beta2 * DecodeUnsigned(c1 + e, decode1, shiftBack1) + oneMinusBeta2 * (gg * gg);
                        var update = (m / (Vector512.Sqrt(v) + epsilon)) * biasScale;
                        update = update + decay * gp;
                        update = negativeRate * update;
                        (gp + update).Store(p + e);
                        m.Store(now0 + j + u);
                        most0 = Vector512.Max(most0, m.AsUInt32() & Vector512.Create(0x7FFF_FFFFu));
                        v.Store(now1 + j + u);
                        most1 = Vector512.Max(most1, v.AsUInt32()); // v >= 0 or NaN: the sign mask would not change FromMaxBits

                        continue;
                    }
                    var vp = Unsafe.BitCast<Vector512<float>, Simd512<T>>(Vector512.Load(p + e));
                    var vg = Unsafe.BitCast<Vector512<float>, Simd512<T>>(Vector512.Load(g + e));
                    var a = H0.Value ? Unsafe.BitCast<Vector512<float>, Simd512<T>>(DecodeSigned(c0 + e, decode0, shiftBack0)) : default;
                    var bb = H1.Value ? Unsafe.BitCast<Vector512<float>, Simd512<T>>(DecodeUnsigned(c1 + e, decode1, shiftBack1)) : default;
                    Simd512<T> unused = default;
                    k.Invoke(ref vp, vg, ref a, ref bb, ref unused);
                    Unsafe.BitCast<Simd512<T>, Vector512<float>>(vp).Store(p + e);
                    if (H0.Value)
                    {
                        var va = Unsafe.BitCast<Simd512<T>, Vector512<float>>(a);
                        va.Store(now0 + j + u);
                        most0 = Vector512.Max(most0, va.AsUInt32() & Vector512.Create(0x7FFF_FFFFu));
                    }
                    if (H1.Value)
                    {
                        var vb = Unsafe.BitCast<Simd512<T>, Vector512<float>>(bb);
                        vb.Store(now1 + j + u);
                        most1 = Vector512.Max(most1, vb.AsUInt32() & Vector512.Create(0x7FFF_FFFFu));
                    }
                }
                if (hasPrevious)
                {
                    if (H0.Value) EncodeSigned64(before0 + j, c0 + previous + j, encode0);
                    if (H1.Value) EncodeUnsigned64<HA>(before1 + j, c1 + previous + j, encode1);
                }
            }
            if (H0.Value)
            {
                float m = BlockwiseQuantization.FromMaxBits(HorizontalMax(most0));
                max0[b] = m;
                encode0 = Vector512.Create(map0.EncodeScale(m));
            }
            if (H1.Value)
            {
                float m = BlockwiseQuantization.FromMaxBits(HorizontalMax(most1));
                max1[b] = m;
                encode1 = Vector512.Create(map1.EncodeScale(m));
            }
            previous = s;
            hasPrevious = true;
        }
        if (!hasPrevious) return;
        float* last0 = scratch + (nuint)(parity ^ 1) * 2 * block, last1 = last0 + block;
        for (nuint j = 0; j < block; j += Group)
        {
            if (H0.Value) EncodeSigned64(last0 + j, c0 + previous + j, encode0);
            if (H1.Value) EncodeUnsigned64<HA>(last1 + j, c1 + previous + j, encode1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HorizontalMax(Vector512<uint> v)
    {
        var m = Vector256.Max(v.GetLower(), v.GetUpper());
        var m128 = Vector128.Max(m.GetLower(), m.GetUpper());
        return Math.Max(Math.Max(m128.GetElement(0), m128.GetElement(1)), Math.Max(m128.GetElement(2), m128.GetElement(3)));
    }

    /// <summary>16 signed (e2m5) codes at <paramref name="c"/> decoded: fma(A(q), scale, -offset scale), the sign from bit 7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> DecodeSigned(byte* c, Vector512<float> scale, Vector512<float> shiftBack)
    {
        // The sign-extended code shifted: bit 31 is the sign, the magnitude sits in the exponent and mantissa bits.
        var k = Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)c)) << FloatShift;
        var a = Avx512F.TernaryLogic(k, Vector512.Create(0x7F << FloatShift), Vector512.Create(SignedBase), 0xEA).AsSingle(); // (k & magnitude) | base
        var magnitude = Avx512F.FusedMultiplyAdd(a, scale, shiftBack);
        return Avx512F.TernaryLogic(magnitude.AsInt32(), k, Vector512.Create(int.MinValue), 0xF8).AsSingle();                 // | (k & sign)
    }

    /// <summary>16 unsigned (e3m5) codes at <paramref name="c"/> decoded: fma(A(q), scale, -offset scale).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> DecodeUnsigned(byte* c, Vector512<float> scale, Vector512<float> shiftBack)
    {
        var q = Avx512F.ConvertToVector512Int32(Vector128.Load(c)) << FloatShift;
        return Avx512F.FusedMultiplyAdd((q | Vector512.Create(UnsignedBase)).AsSingle(), scale, shiftBack);
    }

    /// <summary>Encodes 64 first-moment values at <paramref name="x"/> into <paramref name="c"/> (e2m5, sign in bit 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void EncodeSigned64(float* x, byte* c, Vector512<float> scale)
        => Pack64(EncodeSigned(Vector512.Load(x), scale), EncodeSigned(Vector512.Load(x + 16), scale),
            EncodeSigned(Vector512.Load(x + 32), scale), EncodeSigned(Vector512.Load(x + 48), scale), c);

    /// <summary>
    /// Encodes 64 second-moment values at <paramref name="x"/> into <paramref name="c"/> (e3m5, non-zero kept non-zero).
    /// <typeparamref name="TNonNegative"/>: the values are known to be >= 0 or NaN (Adam's v), so the sign mask is skipped;
    /// it changes no code (a NaN saturates to 255 either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void EncodeUnsigned64<TNonNegative>(float* x, byte* c, Vector512<float> scale) where TNonNegative : struct, FusedLoop.IFlag
        => Pack64(EncodeUnsigned<TNonNegative>(Vector512.Load(x), scale), EncodeUnsigned<TNonNegative>(Vector512.Load(x + 16), scale),
            EncodeUnsigned<TNonNegative>(Vector512.Load(x + 32), scale), EncodeUnsigned<TNonNegative>(Vector512.Load(x + 48), scale), c);

    /// <summary>Four registers of codes packed to 64 bytes with unsigned saturation (the scalar min(q, 255)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Pack64(Vector512<int> q0, Vector512<int> q1, Vector512<int> q2, Vector512<int> q3, byte* c)
    {
        var w01 = Avx512BW.PackUnsignedSaturate(q0, q1);
        var w23 = Avx512BW.PackUnsignedSaturate(q2, q3);
        var bytes = Avx512BW.PackUnsignedSaturate(w01.AsInt16(), w23.AsInt16());
        Avx512F.PermuteVar16x32(bytes.AsInt32(), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)).AsByte().Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> EncodeSigned(Vector512<float> x, Vector512<float> scale)
    {
        var bits = x.AsInt32();
        var t = Avx512F.FusedMultiplyAdd((bits & Vector512.Create(0x7FFF_FFFF)).AsSingle(), scale, Vector512.Create(SignedOffset));
        var q = (t.AsInt32() + Vector512.Create((1 << (FloatShift - 1)) - SignedBase)).AsUInt32() >> FloatShift; // below 2^14
        return Avx512F.TernaryLogic(q.AsInt32(), Vector512.ShiftRightLogical(bits, 24), Vector512.Create(0x80), 0xF8); // | sign << 7
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> EncodeUnsigned<TNonNegative>(Vector512<float> x, Vector512<float> scale) where TNonNegative : struct, FusedLoop.IFlag
    {
        var magnitude = TNonNegative.Value ? x.AsUInt32() : x.AsUInt32() & Vector512.Create(0x7FFF_FFFFu);
        var t = Avx512F.FusedMultiplyAdd(magnitude.AsSingle(), scale, Vector512.Create(UnsignedOffset));
        var q = (t.AsUInt32() + Vector512.Create(unchecked((1u << (FloatShift - 1)) - UnsignedBase))) >> FloatShift;
        return Vector512.Max(q, Vector512.Min(magnitude, Vector512<uint>.One)).AsInt32(); // a non-zero value keeps a non-zero code
    }
}
