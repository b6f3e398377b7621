using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Descent.Numerics;

/// <summary>
/// Reference memory-bandwidth kernels for judging optimizer steps: the in-place triad <c>a += s * b</c> (two streams read,
/// one written: 3 x sizeof(T) bytes per element) and a copy <c>a = b</c> (2 x sizeof(T)). Both run on the
/// <see cref="WorkerPool"/> in the same chunks as <see cref="FusedLoop"/>, on at most the given number of threads.
/// </summary>
public static class Bandwidth
{
    /// <summary>Bytes moved per element by <see cref="Triad{T}"/>.</summary>
    public static int TriadBytesPerElement<T>() where T : unmanaged => 3 * Marshal.SizeOf<T>();

    /// <summary>Bytes moved per element by <see cref="Copy{T}"/>.</summary>
    public static int CopyBytesPerElement<T>() where T : unmanaged => 2 * Marshal.SizeOf<T>();

    /// <summary><paramref name="a"/>[i] += <paramref name="scale"/> * <paramref name="b"/>[i] (no fused multiply-add).</summary>
    /// <param name="a">Updated in place.</param>
    /// <param name="b">Read.</param>
    /// <param name="scale">The multiplier.</param>
    /// <param name="maxDegreeOfParallelism">Threads at most (default <see cref="Parallelism.ProcessDefault"/>).</param>
    public static void Triad<T>(Memory<T> a, ReadOnlyMemory<T> b, T scale, int? maxDegreeOfParallelism = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (b.Length != a.Length) throw new ArgumentException($"Length {b.Length} differs from {a.Length}.", nameof(b));
        FusedLoop.Run(new TriadKernel<T>(scale), a, b, Memory<T>.Empty, Memory<T>.Empty, Memory<T>.Empty,
            Parallelism.Resolve(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism)));
    }

    /// <summary><paramref name="destination"/>[i] = <paramref name="source"/>[i], in parallel chunks.</summary>
    /// <param name="source">Read.</param>
    /// <param name="destination">Written.</param>
    /// <param name="maxDegreeOfParallelism">Threads at most (default <see cref="Parallelism.ProcessDefault"/>).</param>
    public static void Copy<T>(ReadOnlyMemory<T> source, Memory<T> destination, int? maxDegreeOfParallelism = null) where T : unmanaged
    {
        if (source.Length != destination.Length) throw new ArgumentException($"Length {source.Length} differs from {destination.Length}.", nameof(destination));
        int n = source.Length;
        int threads = Parallelism.Resolve(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (n < FusedLoop.ParallelThreshold || threads <= 1)
        {
            source.Span.CopyTo(destination.Span);
            return;
        }
        var job = CopyJob<T>.ForThisThread();
        job.Source = source;
        job.Destination = destination;
        job.Chunk = FusedLoop.ChunkFor(n, threads);
        try
        {
            WorkerPool.Shared.Run(job, (n + job.Chunk - 1) / job.Chunk, threads);
        }
        finally
        {
            job.Source = default;
            job.Destination = default;
        }
    }

    private readonly struct TriadKernel<T>(T scale) : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _scale = scale;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]

        public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
            => p = p + TV.Create(_scale) * g;
    }

    private sealed class CopyJob<T> : ChunkJob where T : unmanaged
    {
        [ThreadStatic] private static CopyJob<T>? _cached;
        public ReadOnlyMemory<T> Source;
        public Memory<T> Destination;
        public int Chunk;

        public static CopyJob<T> ForThisThread() => _cached ??= new CopyJob<T>();

        public override void RunChunk(int index)
        {
            int start = index * Chunk;
            int length = Math.Min(Chunk, Source.Length - start);
            Source.Span.Slice(start, length).CopyTo(Destination.Span.Slice(start, length));
        }
    }
}
