using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// One fused element-wise step of an optimizer: reads a parameter, its gradient and up to three state values,
/// and writes the parameter and the state back. Written once against <see cref="ISimd{TSelf, T}"/>; the same
/// code runs on 512-, 256- and 128-bit registers and on the tail (padded into one register), so every element
/// sees exactly the same sequence of IEEE operations whatever its position.
/// </summary>
public interface IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Updates one register of parameters <paramref name="p"/> and state <paramref name="s0"/>..<paramref name="s2"/> from gradients <paramref name="g"/>.</summary>
    void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>;
}

/// <summary>
/// The shared loop that drives an <see cref="IFusedKernel{T}"/> over buffers: widest accelerated register first,
/// then the tail. Buffers of at least <see cref="ParallelThreshold"/> elements are split into chunks (<see cref="ChunkFor"/>)
/// processed by the <see cref="WorkerPool"/>; since the kernels are element-wise the result does not depend on the number
/// of threads or on the chunking.
/// </summary>
public static class FusedLoop
{
    /// <summary>Smallest length processed by several threads.</summary>
    public const int ParallelThreshold = 65536;

    /// <summary>Smallest chunk of the multi-threaded path (a multiple of every register width).</summary>
    public const int ChunkLength = 16384;

    /// <summary>Largest chunk of the multi-threaded path.</summary>
    public const int MaxChunkLength = 262144;

    /// <summary>
    /// Chunk length for <paramref name="n"/> elements on <paramref name="threads"/> threads: about 16 chunks per thread (for
    /// balance), between <see cref="ChunkLength"/> and <see cref="MaxChunkLength"/> elements, a multiple of 64. Longer chunks keep
    /// each thread on a longer sequential stretch of every buffer (measured about 5-10% faster than fixed 16K chunks on 2^24
    /// floats); since the kernels are element-wise, the chunking never changes the result.
    /// </summary>
    public static int ChunkFor(int n, int threads)
    {
        long target = (long)n / (Math.Max(threads, 1) * 16L);
        return (int)(Math.Clamp(target, ChunkLength, MaxChunkLength) / 64 * 64);
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> over the buffers. An unused state buffer is passed empty; a used one must have
    /// the parameter's length, as must the gradient. Buffers of at least <see cref="ParallelThreshold"/> elements run on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (the result does not depend on it). Does not allocate (after the first
    /// multi-threaded call per kernel type).
    /// </summary>
    public static void Run<T, TKernel>(in TKernel kernel, Memory<T> parameter, ReadOnlyMemory<T> gradient,
        Memory<T> state0, Memory<T> state1, Memory<T> state2, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        int n = parameter.Length;
        CheckLength(gradient.Length, n, nameof(gradient));
        CheckState(state0.Length, n, nameof(state0));
        CheckState(state1.Length, n, nameof(state1));
        CheckState(state2.Length, n, nameof(state2));
        int threads = Parallelism.Validate(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (n >= ParallelThreshold && threads > 1)
        {
            var job = ChunkedJob<T, TKernel>.ForThisThread();
            int chunk = ChunkFor(n, threads);
            job.Set(kernel, parameter, gradient, state0, state1, state2, chunk);
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
        RunSpans(kernel, parameter.Span, gradient.Span, state0.Span, state1.Span, state2.Span);
    }

    /// <summary>Runs <paramref name="kernel"/> on the calling thread only.</summary>
    public static void RunSpans<T, TKernel>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        Span<T> state0, Span<T> state1, Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        int n = parameter.Length;
        CheckLength(gradient.Length, n, nameof(gradient));
        CheckState(state0.Length, n, nameof(state0));
        CheckState(state1.Length, n, nameof(state1));
        CheckState(state2.Length, n, nameof(state2));
        // Specialize the loop on which state buffers are present (type arguments the JIT folds), so that the register
        // loop has no per-iteration tests and keeps every value in registers.
        if (state0.IsEmpty) WithState1<T, TKernel, Absent>(kernel, parameter, gradient, state0, state1, state2);
        else WithState1<T, TKernel, Present>(kernel, parameter, gradient, state0, state1, state2);
    }

    private static void WithState1<T, TKernel, F0>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        Span<T> state0, Span<T> state1, Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IFusedKernel<T> where F0 : struct, IFlag
    {
        if (state1.IsEmpty) WithState2<T, TKernel, F0, Absent>(kernel, parameter, gradient, state0, state1, state2);
        else WithState2<T, TKernel, F0, Present>(kernel, parameter, gradient, state0, state1, state2);
    }

    private static void WithState2<T, TKernel, F0, F1>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        Span<T> state0, Span<T> state1, Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IFusedKernel<T> where F0 : struct, IFlag where F1 : struct, IFlag
    {
        if (state2.IsEmpty) WithWidth<T, TKernel, F0, F1, Absent>(kernel, parameter, gradient, state0, state1, state2);
        else WithWidth<T, TKernel, F0, F1, Present>(kernel, parameter, gradient, state0, state1, state2);
    }

    private static void WithWidth<T, TKernel, F0, F1, F2>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        Span<T> state0, Span<T> state1, Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IFusedKernel<T>
        where F0 : struct, IFlag where F1 : struct, IFlag where F2 : struct, IFlag
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Loop<T, TKernel, Simd512<T>, F0, F1, F2>(kernel, parameter, gradient, state0, state1, state2);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Loop<T, TKernel, Simd256<T>, F0, F1, F2>(kernel, parameter, gradient, state0, state1, state2);
        }
        else
        {
            Loop<T, TKernel, Simd128<T>, F0, F1, F2>(kernel, parameter, gradient, state0, state1, state2);
        }
    }

    /// <summary>A compile-time boolean: whether a state buffer is present.</summary>
    internal interface IFlag
    {
        static abstract bool Value { get; }
    }

    internal readonly struct Present : IFlag
    {
        public static bool Value => true;
    }

    internal readonly struct Absent : IFlag
    {
        public static bool Value => false;
    }

    private static void CheckLength(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"Length {length} differs from the parameter's length {expected}.", name);
    }

    private static void CheckState(int length, int expected, string name)
    {
        if (length != 0 && length != expected) throw new ArgumentException($"State length {length} differs from the parameter's length {expected}.", name);
    }

    private static void Loop<T, TKernel, TV, F0, F1, F2>(in TKernel kernel, Span<T> parameter, ReadOnlySpan<T> gradient,
        Span<T> state0, Span<T> state1, Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
        where TV : struct, ISimd<TV, T>
        where F0 : struct, IFlag where F1 : struct, IFlag where F2 : struct, IFlag
    {
        nuint n = (nuint)parameter.Length;
        nuint width = (nuint)TV.Count;
        bool has0 = F0.Value, has1 = F1.Value, has2 = F2.Value;
        ref T p = ref MemoryMarshal.GetReference(parameter);
        ref T g = ref MemoryMarshal.GetReference(gradient);
        ref T r0 = ref MemoryMarshal.GetReference(state0);
        ref T r1 = ref MemoryMarshal.GetReference(state1);
        ref T r2 = ref MemoryMarshal.GetReference(state2);
        TKernel k = kernel;
        nuint i = 0;
        var hint = _nextTensor;
        bool prefetch = hint.Active && Sse.IsSupported;
        nuint hintEnd = (nuint)hint.Length;
        for (; i + width <= n; i += width)
        {
            if (prefetch && i < hintEnd) hint.Prefetch(i * (nuint)Unsafe.SizeOf<T>());
            TV vp = TV.Load(ref p, i);
            TV vg = TV.Load(ref g, i);
            TV a = has0 ? TV.Load(ref r0, i) : default;
            TV b = has1 ? TV.Load(ref r1, i) : default;
            TV c = has2 ? TV.Load(ref r2, i) : default;
            k.Invoke(ref vp, vg, ref a, ref b, ref c);
            vp.Store(ref p, i);
            if (has0) a.Store(ref r0, i);
            if (has1) b.Store(ref r1, i);
            if (has2) c.Store(ref r2, i);
        }
        if (i < n)
        {
            // Tail: copy into one zero-padded register per buffer, run the same vector code, copy back.
            int rest = (int)(n - i);
            int w = (int)width;
            Span<T> tmp = stackalloc T[5 * 64];
            tmp.Slice(0, 5 * w).Clear();
            Span<T> tp = tmp.Slice(0, w), tg = tmp.Slice(w, w), t0 = tmp.Slice(2 * w, w), t1 = tmp.Slice(3 * w, w), t2 = tmp.Slice(4 * w, w);
            int start = (int)i;
            parameter.Slice(start, rest).CopyTo(tp);
            gradient.Slice(start, rest).CopyTo(tg);
            if (has0) state0.Slice(start, rest).CopyTo(t0);
            if (has1) state1.Slice(start, rest).CopyTo(t1);
            if (has2) state2.Slice(start, rest).CopyTo(t2);
            TV vp = TV.Load(ref MemoryMarshal.GetReference(tp), 0);
            TV vg = TV.Load(ref MemoryMarshal.GetReference(tg), 0);
            TV a = TV.Load(ref MemoryMarshal.GetReference(t0), 0);
            TV b = TV.Load(ref MemoryMarshal.GetReference(t1), 0);
            TV c = TV.Load(ref MemoryMarshal.GetReference(t2), 0);
            k.Invoke(ref vp, vg, ref a, ref b, ref c);
            vp.Store(ref MemoryMarshal.GetReference(tp), 0);
            a.Store(ref MemoryMarshal.GetReference(t0), 0);
            b.Store(ref MemoryMarshal.GetReference(t1), 0);
            c.Store(ref MemoryMarshal.GetReference(t2), 0);
            tp.Slice(0, rest).CopyTo(parameter.Slice(start));
            if (has0) t0.Slice(0, rest).CopyTo(state0.Slice(start));
            if (has1) t1.Slice(0, rest).CopyTo(state1.Slice(start));
            if (has2) t2.Slice(0, rest).CopyTo(state2.Slice(start));
        }
    }

    [ThreadStatic] private static NextTensor _nextTensor;

    /// <summary>
    /// Announces the buffers of the tensor the calling thread will step next (parameter, gradient, state; at most five, each
    /// <paramref name="length"/> elements): while the current tensor's registers are processed, the same offsets of the next
    /// tensor are prefetched, so that its first lines are in cache when it starts. For runs of small tensors, whose streams
    /// are too short for the hardware prefetcher to ramp up. A prefetch never faults, so a stale address only wastes it.
    /// </summary>
    internal static unsafe void AnnounceNext<T>(int length, ReadOnlySpan<T> b0, ReadOnlySpan<T> b1, ReadOnlySpan<T> b2, ReadOnlySpan<T> b3, ReadOnlySpan<T> b4)
        where T : unmanaged
    {
        _nextTensor = new NextTensor
        {
            Active = true,
            Length = length,
            P0 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(b0)),
            P1 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(b1)),
            P2 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(b2)),
            P3 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(b3)),
            P4 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(b4)),
        };
    }

    /// <summary>Forgets the announced next tensor.</summary>
    internal static void ClearNext() => _nextTensor = default;

    private unsafe struct NextTensor
    {
        public bool Active;
        public int Length;
        public byte* P0, P1, P2, P3, P4;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Prefetch(nuint offset)
        {
            // Empty buffers point at address 0 (or at a zero-length array): prefetching there is harmless.
            Sse.Prefetch0(P0 + offset);
            Sse.Prefetch0(P1 + offset);
            Sse.Prefetch0(P2 + offset);
            Sse.Prefetch0(P3 + offset);
            Sse.Prefetch0(P4 + offset);
        }
    }

    private sealed class ChunkedJob<T, TKernel> : ChunkJob
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IFusedKernel<T>
    {
        [ThreadStatic] private static ChunkedJob<T, TKernel>? _cached;
        private TKernel _kernel;
        private Memory<T> _p, _s0, _s1, _s2;
        private ReadOnlyMemory<T> _g;
        private int _chunk;

        public static ChunkedJob<T, TKernel> ForThisThread() => _cached ??= new ChunkedJob<T, TKernel>();

        public void Set(in TKernel kernel, Memory<T> p, ReadOnlyMemory<T> g, Memory<T> s0, Memory<T> s1, Memory<T> s2, int chunk)
        {
            _kernel = kernel; _p = p; _g = g; _s0 = s0; _s1 = s1; _s2 = s2; _chunk = chunk;
        }

        public void Clear()
        {
            _p = default; _g = default; _s0 = default; _s1 = default; _s2 = default;
        }

        public override void RunChunk(int index)
        {
            int start = index * _chunk;
            int length = Math.Min(_chunk, _p.Length - start);
            RunSpans(_kernel, _p.Span.Slice(start, length), _g.Span.Slice(start, length),
                Part(_s0, start, length), Part(_s1, start, length), Part(_s2, start, length));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Span<T> Part(Memory<T> m, int start, int length) => m.IsEmpty ? Span<T>.Empty : m.Span.Slice(start, length);
    }
}
