using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Descent.Numerics;

/// <summary>
/// One optimizer state buffer held compactly, as <see cref="CompactStateLoop"/> reads and writes it: absent, bfloat16 bits
/// (rounded to nearest even, or stochastically from the stream <see cref="Key"/>), or block-wise 8-bit codes with their
/// per-block absolute maxima and map.
/// </summary>
public readonly struct CompactState
{
    /// <summary>bfloat16 bits (bfloat16 state), else empty.</summary>
    public Memory<ushort> BFloat16 { get; init; }

    /// <summary>8-bit codes (int8 state), else empty.</summary>
    public Memory<byte> Codes { get; init; }

    /// <summary>Per-block absolute maxima (int8 state; <see cref="BlockwiseQuantization.BlockCount"/> elements).</summary>
    public Memory<float> AbsMax { get; init; }

    /// <summary>The 8-bit map (int8 state).</summary>
    public QuantizationMap? Map { get; init; }

    /// <summary>Whether bfloat16 rounding is stochastic.</summary>
    public bool Stochastic { get; init; }

    /// <summary>The stochastic rounding stream's key for this step (<see cref="CounterRandom.Key"/>); element i uses counter i.</summary>
    public uint Key { get; init; }

    /// <summary>Whether the state is stored as 8-bit codes.</summary>
    public bool IsInt8 => Map is not null;

    /// <summary>Whether this describes a buffer (bfloat16 or int8) rather than an absent one.</summary>
    public bool IsPresent { get; init; }

    /// <summary>A bfloat16 state buffer.</summary>
    public static CompactState ForBFloat16(Memory<ushort> bits, bool stochastic = false, uint key = 0)
        => new() { BFloat16 = bits, Stochastic = stochastic, Key = key, IsPresent = true };

    /// <summary>An 8-bit block-wise state buffer.</summary>
    public static CompactState ForInt8(Memory<byte> codes, Memory<float> absMax, QuantizationMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (absMax.Length != BlockwiseQuantization.BlockCount(codes.Length))
            throw new ArgumentException($"{absMax.Length} block maxima for {codes.Length} codes.", nameof(absMax));
        return new() { Codes = codes, AbsMax = absMax, Map = map, IsPresent = true };
    }

    /// <summary>Elements held.</summary>
    public int Length => IsInt8 ? Codes.Length : BFloat16.Length;

    /// <summary>Decodes elements [<paramref name="start"/>, start + destination.Length) into <paramref name="destination"/>
    /// (<paramref name="start"/> a multiple of the block size for int8).</summary>
    internal void Load(int start, Span<float> destination)
    {
        if (IsInt8)
        {
            BlockwiseQuantization.DecodeBlock(Codes.Span.Slice(start, destination.Length), AbsMax.Span[start / BlockwiseQuantization.BlockSize], Map!, destination);
            return;
        }
        var source = BFloat16.Span.Slice(start, destination.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort s = ref MemoryMarshal.GetReference(source);
            ref float d = ref MemoryMarshal.GetReference(destination);
            for (; i + 16 <= source.Length; i += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                Numerics.BFloat16.Widen(lo).StoreUnsafe(ref d, (nuint)i);
                Numerics.BFloat16.Widen(hi).StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < source.Length; i++) destination[i] = Numerics.BFloat16.ToSingle(source[i]);
    }

    /// <summary>Encodes <paramref name="source"/> into elements [<paramref name="start"/>, start + source.Length) (one block for int8).</summary>
    internal void Store(int start, ReadOnlySpan<float> source)
    {
        if (IsInt8)
        {
            float max = BlockwiseQuantization.AbsMax(source);
            AbsMax.Span[start / BlockwiseQuantization.BlockSize] = max;
            BlockwiseQuantization.EncodeBlock(source, Map!.EncodeScale(max), Map!, Codes.Span.Slice(start, source.Length));
            return;
        }
        var destination = BFloat16.Span.Slice(start, source.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float s = ref MemoryMarshal.GetReference(source);
            ref ushort d = ref MemoryMarshal.GetReference(destination);
            var key = Vector256.Create(Key);
            for (; i + 16 <= source.Length; i += 16)
            {
                var a = Vector256.LoadUnsafe(ref s, (nuint)i);
                var b = Vector256.LoadUnsafe(ref s, (nuint)(i + 8));
                Vector256<uint> lo, hi;
                if (Stochastic)
                {
                    var counter = Vector256<uint>.Indices + Vector256.Create((uint)(start + i));
                    lo = Numerics.BFloat16.RoundStochastic(a, CounterRandom.At(key, counter));
                    hi = Numerics.BFloat16.RoundStochastic(b, CounterRandom.At(key, counter + Vector256.Create(8u)));
                }
                else
                {
                    lo = Numerics.BFloat16.Round(a);
                    hi = Numerics.BFloat16.Round(b);
                }
                Vector256.Narrow(lo, hi).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < source.Length; i++)
        {
            destination[i] = Stochastic
                ? Numerics.BFloat16.FromSingleStochastic(source[i], CounterRandom.At(Key, (uint)(start + i)))
                : Numerics.BFloat16.FromSingle(source[i]);
        }
    }

    /// <summary>The scalar reference of decoding the whole buffer into <paramref name="destination"/>.</summary>
    public void DequantizeReference(Span<float> destination)
    {
        if (destination.Length != Length) throw new ArgumentException($"Destination has {destination.Length} elements, the state {Length}.", nameof(destination));
        if (IsInt8)
        {
            var codes = Codes.Span;
            var absMax = AbsMax.Span;
            for (int i = 0; i < codes.Length; i++) destination[i] = Map!.Decode(codes[i], Map.DecodeScale(absMax[i / BlockwiseQuantization.BlockSize]));
            return;
        }
        var bits = BFloat16.Span;
        for (int i = 0; i < bits.Length; i++) destination[i] = Numerics.BFloat16.ToSingle(bits[i]);
    }

    /// <summary>The scalar reference of encoding the whole buffer from <paramref name="source"/> (binary-search encoder).</summary>
    public void QuantizeReference(ReadOnlySpan<float> source)
    {
        if (source.Length != Length) throw new ArgumentException($"Source has {source.Length} elements, the state {Length}.", nameof(source));
        if (IsInt8)
        {
            BlockwiseQuantization.QuantizeReference(source, Map!, Codes.Span, AbsMax.Span);
            return;
        }
        var bits = BFloat16.Span;
        for (int i = 0; i < bits.Length; i++)
            bits[i] = Stochastic ? Numerics.BFloat16.FromSingleStochastic(source[i], CounterRandom.At(Key, (uint)i)) : Numerics.BFloat16.FromSingle(source[i]);
    }
}

/// <summary>
/// Drives an <see cref="IFusedKernel{T}"/> over a float parameter whose state (up to two buffers) is held compactly
/// (<see cref="CompactState"/>): block by block (<see cref="BlockwiseQuantization.BlockSize"/> elements), the state is decoded
/// into two L1-resident float blocks, the kernel runs on them with <see cref="FusedLoop.RunSpans"/> (the same register code
/// as float state), and the block is encoded back; so memory is read and written once per element, and the update is the
/// float kernel's bit for bit. Long buffers run on the <see cref="WorkerPool"/> in chunks of whole blocks; the result does
/// not depend on the number of threads (blocks, absmax and the stochastic rounding counters are per element index).
/// On AVX-512 with VBMI, whole blocks take the single-pass register path (<c>CompactStateLoop.Avx512.cs</c>), which gives the
/// same bits. Allocates nothing (after the first multi-threaded call per kernel type).
/// </summary>
public static partial class CompactStateLoop
{
    /// <summary>
    /// Runs <paramref name="kernel"/>: its state 0 and 1 are <paramref name="state0"/> and <paramref name="state1"/> (absent:
    /// default). <typeparamref name="T"/> must be float (compact state holds float values).
    /// </summary>
    public static void Run<T, TKernel>(in TKernel kernel, Memory<T> parameter, ReadOnlyMemory<T> gradient, in CompactState state0, in CompactState state1,
        int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        if (typeof(T) != typeof(float)) throw new NotSupportedException($"Compact optimizer state holds float values; the parameter is {typeof(T).Name}.");
        int n = parameter.Length;
        if (gradient.Length != n) throw new ArgumentException($"Length {gradient.Length} differs from the parameter's length {n}.", nameof(gradient));
        if (state0.IsPresent && state0.Length != n) throw new ArgumentException($"State length {state0.Length} differs from the parameter's length {n}.", nameof(state0));
        if (state1.IsPresent && state1.Length != n) throw new ArgumentException($"State length {state1.Length} differs from the parameter's length {n}.", nameof(state1));
        int threads = Parallelism.Validate(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (n >= FusedLoop.ParallelThreshold && threads > 1)
        {
            var job = Job<T, TKernel>.ForThisThread();
            int chunk = (FusedLoop.ChunkFor(n, threads) + BlockwiseQuantization.BlockSize - 1) / BlockwiseQuantization.BlockSize * BlockwiseQuantization.BlockSize;
            job.Set(kernel, parameter, gradient, state0, state1, chunk);
            try
            {
                WorkerPool.Shared.Run(job, (n + chunk - 1) / chunk, threads);
            }
            finally
            {
                job.Clear();
            }
            return;
        }
        RunRange(kernel, parameter.Span, gradient.Span, state0, state1, 0, n);
    }

    private static void RunRange<T, TKernel>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        in CompactState state0, in CompactState state1, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        const int block = BlockwiseQuantization.BlockSize;
        int end = start + length;
        if (Avx512PathSupported && length >= block)
        {
            int whole = length / block * block;
            if (OffsetFloatLoopApplies(state0, state1)) RunOffsetFloatBlocks(kernel, parameter, gradient, state0, state1, start, start + whole);
            else if (!AnyOffsetFloat(state0, state1)) RunBlocksAvx512(kernel, parameter, gradient, state0, state1, start, start + whole);
            else whole = 0; // offset-float int8 beside bfloat16 or a table map: the block path below
            start += whole;
            if (start == end) return;
        }
        Span<T> a = stackalloc T[block];
        Span<T> b = stackalloc T[block];
        for (int s = start; s < end; s += block)
        {
            int n = Math.Min(block, end - s);
            Span<T> m = state0.IsPresent ? a.Slice(0, n) : Span<T>.Empty;
            Span<T> v = state1.IsPresent ? b.Slice(0, n) : Span<T>.Empty;
            if (state0.IsPresent) state0.Load(s, MemoryMarshal.Cast<T, float>(m));
            if (state1.IsPresent) state1.Load(s, MemoryMarshal.Cast<T, float>(v));
            FusedLoop.RunSpans(kernel, parameter.Slice(s, n), gradient.Slice(s, n), m, v, Span<T>.Empty);
            if (state0.IsPresent) state0.Store(s, MemoryMarshal.Cast<T, float>(m));
            if (state1.IsPresent) state1.Store(s, MemoryMarshal.Cast<T, float>(v));
        }
    }

    private sealed class Job<T, TKernel> : ChunkJob
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        [ThreadStatic] private static Job<T, TKernel>? _cached;
        private TKernel _kernel;
        private Memory<T> _p;
        private ReadOnlyMemory<T> _g;
        private CompactState _s0, _s1;
        private int _chunk;

        public static Job<T, TKernel> ForThisThread() => _cached ??= new Job<T, TKernel>();

        public void Set(in TKernel kernel, Memory<T> p, ReadOnlyMemory<T> g, in CompactState s0, in CompactState s1, int chunk)
        {
            _kernel = kernel; _p = p; _g = g; _s0 = s0; _s1 = s1; _chunk = chunk;
        }

        public void Clear()
        {
            _p = default; _g = default; _s0 = default; _s1 = default;
        }

        public override void RunChunk(int index)
        {
            int start = index * _chunk;
            int length = Math.Min(_chunk, _p.Length - start);
            RunRange(_kernel, _p.Span, _g.Span, _s0, _s1, start, length);
        }
    }
}
