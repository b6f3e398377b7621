using System.Diagnostics;
using Descent.Numerics;

namespace Descent.Tests.Numerics;

public class BandwidthTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(FusedLoop.ParallelThreshold * 3 + 7)]
    public void TriadAndCopyComputeElementwiseWhateverTheThreads(int n)
    {
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var a = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
            var b = Enumerable.Range(0, n).Select(i => 1f / (i + 1)).ToArray();
            Bandwidth.Triad<float>(a, b, 0.3f, threads);
            for (int i = 0; i < n; i++) Assert.Equal(i + 0.3f * b[i], a[i]);
            var c = new double[n];
            var d = Enumerable.Range(0, n).Select(i => i * 0.5).ToArray();
            Bandwidth.Copy<double>(d, c, threads);
            Assert.Equal(d, c);
        }
    }

    [Fact]
    public void MismatchedLengthsThrowAndChangeNothing()
    {
        var a = new float[] { 1, 2, 3 };
        Assert.Throws<ArgumentException>(() => Bandwidth.Triad<float>(a, new float[2], 1f));
        Assert.Throws<ArgumentException>(() => Bandwidth.Copy<float>(new float[2], a));
        Assert.Equal([1f, 2f, 3f], a);
        Assert.Equal(12, Bandwidth.TriadBytesPerElement<float>());
        Assert.Equal(16, Bandwidth.CopyBytesPerElement<double>());
    }

}

/// <summary>Measures process CPU time, so it must not run beside other tests: a serial collection runs alone.</summary>
[CollectionDefinition("ProcessCpuTime", DisableParallelization = true)]
public sealed class ProcessCpuTimeCollection;

[Collection("ProcessCpuTime")]
public class WorkerPoolIdleTests
{
    [Fact]
    public void IdleWorkersDoNotBurnTheCpu()
    {
        int threads = Math.Max(2, Environment.ProcessorCount);
        var a = new float[FusedLoop.ParallelThreshold * 8];
        var b = new float[a.Length];
        for (int i = 0; i < 20; i++) Bandwidth.Triad<float>(a, b, 1f, threads);
        // Background JIT compilation and GC also use process CPU time, so settle first and take the quietest of several
        // windows: a spinning idle worker would burn a whole core in every window.
        Thread.Sleep(1000);
        var process = Process.GetCurrentProcess();
        double quietest = double.PositiveInfinity;
        for (int window = 0; window < 5; window++)
        {
            process.Refresh();
            TimeSpan before = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            Thread.Sleep(300);
            process.Refresh();
            double fraction = (process.TotalProcessorTime - before).TotalMilliseconds / wall.Elapsed.TotalMilliseconds;
            quietest = Math.Min(quietest, fraction);
        }
        Assert.True(quietest < 0.5, $"idle process used {quietest:P0} of a core in its quietest 300 ms window");
    }
}
