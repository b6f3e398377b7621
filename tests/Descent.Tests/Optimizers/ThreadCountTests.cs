using Descent.Numerics;
using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>Results are bit-identical whatever the thread count, for every catalog optimizer, on single large buffers and on many small tensors (batched path).</summary>
public class ThreadCountTests
{
    public static TheoryData<string> CatalogNames() => new(OptimizerCatalog.All.Select(d => d.Name));

    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void EveryThreadCountGivesTheSameBits(string name)
    {
        // One tensor split across threads, one just below the threshold, and enough small ones to fill several batches.
        int[] lengths = [FusedLoop.ParallelThreshold * 2 + 5, FusedLoop.ParallelThreshold - 1, .. Enumerable.Range(1, 90).Select(i => 37 * i % 700 + 1)];
        double[][]? reference = null;
        foreach (int threads in new[] { 1, 2, 3, 5 })
        {
            var got = Run(name, lengths, threads);
            if (reference is null)
            {
                reference = got;
                continue;
            }
            for (int t = 0; t < got.Length; t++)
                Assert.True(reference[t].AsSpan().SequenceEqual(got[t]), $"{name}: tensor {t} differs with {threads} threads");
        }
    }

    private static double[][] Run(string name, int[] lengths, int threads)
    {
        var random = new Random(7);
        bool decays = OptimizerCatalog.All.Single(d => d.Name == name).Options.Any(o => o.Name == "weight_decay");
        var o = OptimizerCatalog.Create<double>(name + (decays ? "(weight_decay=0.01)" : "()"));
        o.MaxDegreeOfParallelism = threads;
        var values = lengths.Select(n => Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        var gradients = lengths.Select(n => new double[n]).ToArray();
        o.AddGroup(values.Select((v, i) => new Parameter<double>($"p{i}", v, gradients[i])).ToArray());
        for (int step = 0; step < 3; step++)
        {
            foreach (var g in gradients)
                for (int j = 0; j < g.Length; j++) g[j] = random.NextDouble() - 0.5;
            o.Step();
        }
        return [.. values, .. o.StateBuffers.Select(b => b.Values.ToArray())];
    }
}
