using Descent.Numerics;

namespace Descent.Tests.Numerics;

public class FusedLoopTests
{
    private readonly struct AxpyKernel : IFusedKernel<double>
    {
        public double A { get; init; }
        public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, double>
        {
            s0 = s0 + g;
            p = p + TV.Create(A) * g;
        }
    }

    private sealed class CountingJob(int chunks) : ChunkJob
    {
        public readonly int[] Hits = new int[chunks];
        public override void RunChunk(int index) => Interlocked.Increment(ref Hits[index]);
    }

    private sealed class ThrowingJob : ChunkJob
    {
        public override void RunChunk(int index)
        {
            if (index == 3) throw new InvalidOperationException("chunk 3");
        }
    }

    [Fact]
    public void EveryLengthAndOffsetMatchesScalarCode()
    {
        for (int n = 0; n <= 70; n++)
        {
            for (int offset = 0; offset < 3; offset++)
            {
                var p = new double[n + offset];
                var g = new double[n + offset];
                var s = new double[n + offset];
                for (int i = 0; i < p.Length; i++) { p[i] = i * 0.37; g[i] = 1.0 / (i + 1); s[i] = -i; }
                var expectedP = p.Select((x, i) => i < offset ? x : x + 0.1 * g[i]).ToArray();
                var expectedS = s.Select((x, i) => i < offset ? x : x + g[i]).ToArray();
                FusedLoop.RunSpans(new AxpyKernel { A = 0.1 }, p.AsSpan(offset), g.AsSpan(offset), s.AsSpan(offset), default, default);
                Assert.Equal(expectedP, p);
                Assert.Equal(expectedS, s);
            }
        }
    }

    [Fact]
    public void MismatchedLengthsThrowBeforeWriting()
    {
        var p = new double[] { 1, 2, 3 };
        Assert.Throws<ArgumentException>(() => FusedLoop.RunSpans(new AxpyKernel { A = 1 }, p, new double[2], default, default, default));
        Assert.Throws<ArgumentException>(() => FusedLoop.RunSpans(new AxpyKernel { A = 1 }, p, new double[3], new double[4], default, default));
        Assert.Equal([1, 2, 3], p);
    }

    [Fact]
    public void WorkerPoolRunsEveryChunkOnceAndPropagatesExceptions()
    {
        var job = new CountingJob(37);
        WorkerPool.Shared.Run(job, 37, 4);
        Assert.All(job.Hits, h => Assert.Equal(1, h));
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Shared.Run(new ThrowingJob(), 8, 4));
        Assert.Equal("chunk 3", e.Message);
        var again = new CountingJob(5);
        WorkerPool.Shared.Run(again, 5, 4);
        Assert.All(again.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void AnAnnouncedNextTensorChangesNoResultWhateverItsBuffers()
    {
        var g = Enumerable.Range(0, 300).Select(i => Math.Sin(i)).ToArray();
        var expectedP = Enumerable.Range(0, 300).Select(i => i * 0.5).ToArray();
        var expectedS = new double[300];
        FusedLoop.RunSpans(new AxpyKernel { A = -0.1 }, expectedP, g, expectedS, Span<double>.Empty, Span<double>.Empty);
        var other = new double[17];
        foreach (int length in new[] { 0, 17, 300, 100_000 })
        {
            var p = Enumerable.Range(0, 300).Select(i => i * 0.5).ToArray();
            var s = new double[300];
            // Buffers shorter than the announced length, empty ones, and the tensor itself: prefetching never faults.
            FusedLoop.AnnounceNext<double>(length, other, ReadOnlySpan<double>.Empty, p, g, default);
            try
            {
                FusedLoop.RunSpans(new AxpyKernel { A = -0.1 }, p, g, s, Span<double>.Empty, Span<double>.Empty);
            }
            finally
            {
                FusedLoop.ClearNext();
            }
            Assert.Equal(expectedP, p);
            Assert.Equal(expectedS, s);
        }
    }
}
