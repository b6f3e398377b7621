using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// The AVX-512 single-pass form of <see cref="CompactStateLoop"/> for whole blocks of bfloat16 state and of int8 state in a
/// table map (the dynamic tree; int8 state in the offset-float maps has its own loop, <c>CompactStateLoop.OffsetFloat.cs</c>):
/// per 64 elements the state is decoded in
/// registers (int8: byte permutes of the map's value bytes, <c>vpermi2b</c>, no gathers; bfloat16: a widening shift), the
/// optimizer's float kernel runs on 16-lane registers, and the new state is written back (bfloat16: rounded and narrowed in
/// registers; int8: to an L1 block scratch while its absolute maximum is accumulated, then the block is encoded from the
/// scratch with the bucket table, two AVX2 gathers per 16 values); the parameter and gradient streams are prefetched 4 KB
/// ahead. Every element sees the same IEEE operations as on the block-by-block path
/// (decode = map value times absmax, the kernel, the bucket encoder), so the results are equal bit for bit.
/// </summary>
public static partial class CompactStateLoop
{
    private const int Group = 64;
    private const nuint PrefetchDistance = 1024; // floats (4 KB)

    /// <summary>
    /// Software prefetch of one group's parameter and gradient lines 4 KB ahead (measured: bfloat16 AdamW 1.26x -> 1.43-1.52x of
    /// float32 state at 2 threads); a prefetch never faults, so running past the buffer's end is harmless.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchGroup(float* p, float* g, nuint i)
    {
        Sse.Prefetch0(p + i + PrefetchDistance);
        Sse.Prefetch0(p + i + PrefetchDistance + 16);
        Sse.Prefetch0(p + i + PrefetchDistance + 32);
        Sse.Prefetch0(p + i + PrefetchDistance + 48);
        Sse.Prefetch0(g + i + PrefetchDistance);
        Sse.Prefetch0(g + i + PrefetchDistance + 16);
        Sse.Prefetch0(g + i + PrefetchDistance + 32);
        Sse.Prefetch0(g + i + PrefetchDistance + 48);
    }

    /// <summary>Whether the single-pass AVX-512 path runs on this machine.</summary>
    internal static bool Avx512PathSupported =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512Vbmi.IsSupported && Avx2.IsSupported;

    /// <summary>Runs whole blocks [<paramref name="start"/>, <paramref name="end"/>) (a multiple of the block size long).</summary>
    [SkipLocalsInit] // the 16 KB scratch is written before it is read
    private static unsafe void RunBlocksAvx512<T, TKernel>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        in CompactState state0, in CompactState state1, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        const int block = BlockwiseQuantization.BlockSize;
        float* scratch = stackalloc float[2 * block];
        fixed (T* p = parameter)
        fixed (T* g = gradient)
        {
            var loop = new Loop<T, TKernel> { Kernel = kernel, P = (float*)p, G = (float*)g, Start = (nuint)start, End = (nuint)end };
            if (!state0.IsPresent) loop.With0(new AbsentCodec(), state1, scratch + block);
            else if (state0.IsInt8)
            {
                fixed (byte* codes = state0.Codes.Span)
                fixed (float* absMax = state0.AbsMax.Span)
                {
                    loop.With0(new Int8Codec(codes, absMax, state0.Map!, scratch), state1, scratch + block);
                }
            }
            else
            {
                fixed (ushort* bits = state0.BFloat16.Span)
                {
                    if (state0.Stochastic) loop.With0(new BFloat16StochasticCodec(bits, state0.Key), state1, scratch + block);
                    else loop.With0(new BFloat16Codec(bits), state1, scratch + block);
                }
            }
        }
    }

    private unsafe struct Loop<T, TKernel>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        public TKernel Kernel;
        public float* P, G;
        public nuint Start, End;

        public void With0<C0>(C0 c0, in CompactState state1, float* scratch) where C0 : struct, ICodec
        {
            if (!state1.IsPresent) Run(c0, new AbsentCodec());
            else if (state1.IsInt8)
            {
                fixed (byte* codes = state1.Codes.Span)
                fixed (float* absMax = state1.AbsMax.Span)
                {
                    Run(c0, new Int8Codec(codes, absMax, state1.Map!, scratch));
                }
            }
            else
            {
                fixed (ushort* bits = state1.BFloat16.Span)
                {
                    if (state1.Stochastic) Run(c0, new BFloat16StochasticCodec(bits, state1.Key));
                    else Run(c0, new BFloat16Codec(bits));
                }
            }
        }

        private void Run<C0, C1>(C0 c0, C1 c1) where C0 : struct, ICodec where C1 : struct, ICodec
        {
            const int block = BlockwiseQuantization.BlockSize;
            TKernel k = Kernel;
            float* p = P, g = G;
            for (nuint s = Start; s < End; s += block)
            {
                c0.BeginBlock(s);
                c1.BeginBlock(s);
                for (nuint j = 0; j < block; j += Group)
                {
                    nuint i = s + j;
                    PrefetchGroup(p, g, i);
                    c0.Load(i, out var a0, out var a1, out var a2, out var a3);
                    c1.Load(i, out var b0, out var b1, out var b2, out var b3);
                    Step(ref k, p, g, i, ref a0, ref b0);
                    c0.Put(i, j, a0);
                    c1.Put(i, j, b0);
                    Step(ref k, p, g, i + 16, ref a1, ref b1);
                    c0.Put(i + 16, j + 16, a1);
                    c1.Put(i + 16, j + 16, b1);
                    Step(ref k, p, g, i + 32, ref a2, ref b2);
                    c0.Put(i + 32, j + 32, a2);
                    c1.Put(i + 32, j + 32, b2);
                    Step(ref k, p, g, i + 48, ref a3, ref b3);
                    c0.Put(i + 48, j + 48, a3);
                    c1.Put(i + 48, j + 48, b3);
                }
                c0.EndBlock(s);
                c1.EndBlock(s);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Step(ref TKernel k, float* p, float* g, nuint i, ref Vector512<float> a, ref Vector512<float> b)
        {
            var vp = Vector512.Load(p + i);
            var vg = Vector512.Load(g + i);
            Simd512<T> c = default;
            k.Invoke(ref Unsafe.As<Vector512<float>, Simd512<T>>(ref vp), Unsafe.As<Vector512<float>, Simd512<T>>(ref vg),
                ref Unsafe.As<Vector512<float>, Simd512<T>>(ref a), ref Unsafe.As<Vector512<float>, Simd512<T>>(ref b), ref c);
            vp.Store(p + i);
        }
    }

    /// <summary>How one state buffer is read and written by the single-pass loop (element indices are the buffer's).</summary>
    private interface ICodec
    {
        void BeginBlock(nuint start);
        void Load(nuint i, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
        void Put(nuint i, nuint j, Vector512<float> value);
        void EndBlock(nuint start);
    }

    private struct AbsentCodec : ICodec
    {
        public readonly void BeginBlock(nuint start) { }
        public readonly void Load(nuint i, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3)
        {
            a0 = default; a1 = default; a2 = default; a3 = default;
        }
        public readonly void Put(nuint i, nuint j, Vector512<float> value) { }
        public readonly void EndBlock(nuint start) { }
    }

    private readonly unsafe struct BFloat16Codec(ushort* bits) : ICodec
    {
        public void BeginBlock(nuint start) { }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Load(nuint i, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3)
            => WidenFour(bits + i, out a0, out a1, out a2, out a3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(nuint i, nuint j, Vector512<float> value)
            => Avx512F.ConvertToVector256UInt16(Numerics.BFloat16.Round(value)).Store(bits + i);

        public void EndBlock(nuint start) { }
    }

    private readonly unsafe struct BFloat16StochasticCodec(ushort* bits, uint key) : ICodec
    {
        public void BeginBlock(nuint start) { }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Load(nuint i, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3)
            => WidenFour(bits + i, out a0, out a1, out a2, out a3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(nuint i, nuint j, Vector512<float> value)
        {
            var counter = Vector512<uint>.Indices + Vector512.Create((uint)i);
            var random = CounterRandom.At(Vector512.Create(key), counter);
            Avx512F.ConvertToVector256UInt16(Numerics.BFloat16.RoundStochastic(value, random)).Store(bits + i);
        }

        public void EndBlock(nuint start) { }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Widen(ushort* source)
        => (Avx512F.ConvertToVector512UInt32(Vector256.Load(source)) << 16).AsSingle();

    // The 64 bfloat16 values at source widened to four registers (both bfloat16 codecs load this way).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WidenFour(ushort* source, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3)
    {
        a0 = Widen(source);
        a1 = Widen(source + 16);
        a2 = Widen(source + 32);
        a3 = Widen(source + 48);
    }

    /// <summary>
    /// vpermb control: the code for element 16q + 4L + r goes to byte 16L + 4q + r, so that after the byte and word unpacks
    /// (which work within 128-bit lanes) register q holds elements 16q..16q+15 in order.
    /// </summary>
    private static readonly Vector512<byte> Transpose = CreateTranspose();

    private static Vector512<byte> CreateTranspose()
    {
        Span<byte> control = stackalloc byte[64];
        for (int l = 0; l < 4; l++)
            for (int q = 0; q < 4; q++)
                for (int r = 0; r < 4; r++) control[16 * l + 4 * q + r] = (byte)(16 * q + 4 * l + r);
        return Vector512.Create((ReadOnlySpan<byte>)control);
    }

    /// <summary>
    /// Decodes 64 codes with the map's byte planes (<see cref="QuantizationMap.Planes"/>): a0..a3 = value(code) * scale for
    /// codes 0-15, 16-31, 32-47, 48-63. Each byte of the four value bytes is looked up with two 128-entry byte permutes
    /// (<c>vpermi2b</c>) and a blend on the code's top bit; the byte planes are interleaved into floats by unpacks, whose
    /// 128-bit-lane order the <see cref="Transpose"/> of the codes undoes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Decode64(byte* planes, Vector512<byte> codes, Vector512<float> scale,
        out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3)
    {
        var c = Avx512Vbmi.PermuteVar64x8(codes, Transpose);
        var p0 = Plane(planes, c);
        var p1 = Plane(planes + 256, c);
        var p2 = Plane(planes + 512, c);
        var p3 = Plane(planes + 768, c);
        var w01Low = Avx512BW.UnpackLow(p0, p1).AsUInt16();
        var w01High = Avx512BW.UnpackHigh(p0, p1).AsUInt16();
        var w23Low = Avx512BW.UnpackLow(p2, p3).AsUInt16();
        var w23High = Avx512BW.UnpackHigh(p2, p3).AsUInt16();
        a0 = Avx512BW.UnpackLow(w01Low, w23Low).AsSingle() * scale;
        a1 = Avx512BW.UnpackHigh(w01Low, w23Low).AsSingle() * scale;
        a2 = Avx512BW.UnpackLow(w01High, w23High).AsSingle() * scale;
        a3 = Avx512BW.UnpackHigh(w01High, w23High).AsSingle() * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<byte> Plane(byte* t, Vector512<byte> c)
    {
        var low = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(t), c, Vector512.Load(t + 64));
        var up = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(t + 128), c, Vector512.Load(t + 192));
        return Avx512BW.BlendVariable(low, up, c); // the code's top bit picks entries 128-255
    }

    private unsafe struct Int8Codec(byte* codes, float* absMax, QuantizationMap map, float* scratch) : ICodec
    {
        private readonly byte* _planes = map.Planes;
        private readonly int* _buckets = map.BiasedBuckets;
        private readonly float* _scratch = scratch;
        private Vector512<float> _scale;
        private Vector512<uint> _max;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void BeginBlock(nuint start)
        {
            _scale = Vector512.Create(absMax[start / BlockwiseQuantization.BlockSize]);
            _max = Vector512<uint>.Zero;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Load(nuint i, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3)
            => Decode64(_planes, Vector512.Load(codes + i), _scale, out a0, out a1, out a2, out a3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(nuint i, nuint j, Vector512<float> value)
        {
            value.Store(_scratch + j);
            _max = Vector512.Max(_max, value.AsUInt32() & Vector512.Create(0x7FFF_FFFFu));
        }

        public readonly void EndBlock(nuint start)
        {
            float max = BlockwiseQuantization.FromMaxBits(HorizontalMax(_max));
            absMax[start / BlockwiseQuantization.BlockSize] = max;
            Encode(_scratch, Vector512.Create(BlockwiseQuantization.InverseScale(max)), codes + start);
        }

        // A separate loop after the block's update (interleaving it with the next block's update measured no faster).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private readonly void Encode(float* v, Vector512<float> inverse, byte* c)
        {
            int* table = _buckets;
            for (int j = 0; j < BlockwiseQuantization.BlockSize; j += 16)
                Avx512F.ConvertToVector128Byte(map.EncodeVector512(Vector512.Load(v + j) * inverse, table)).Store(c + j);
        }
    }
}
