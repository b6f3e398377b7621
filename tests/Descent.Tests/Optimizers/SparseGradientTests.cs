using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>Row-sparse gradients and lazy steps (PyTorch parity of SparseAdam with real sparse gradients: sparse-adam*.json in
/// <see cref="OptimizerParityTests"/>).</summary>
public class SparseGradientTests
{
    [Fact]
    public void SetCoalescesRepeatedRowsInOrderAndSortsThem()
    {
        var g = new SparseGradient<double>(2);
        g.Set([3, 1, 3], [1, 2, 10, 20, 100, 200]);
        Assert.Equal([1, 3], g.Rows.ToArray());
        Assert.Equal([10.0, 20, 101, 202], g.Values.ToArray());
        Assert.Throws<ArgumentException>(() => g.Set([0], [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Set([-1], [1.0, 2]));
    }

    [Theory]
    [InlineData("sparse_adam(lr=0.01)")]
    [InlineData("adam(lr=0.01)")]
    [InlineData("sgd(lr=0.1, momentum=0.9)")]
    [InlineData("yogi(lr=0.01)")]
    [InlineData("rmsprop(lr=0.01)")]
    public void LazyStepMovesOnlyPresentRowsAndEqualsADenseStepOnThem(string text)
    {
        // 5 rows of 3: rows 1 and 3 get gradients. The lazy step must leave rows 0, 2, 4 (values and state) untouched and give
        // rows 1 and 3 exactly what a dense step gives a parameter holding only those rows.
        var random = new Random(4);
        double[] start = Enumerable.Range(0, 15).Select(_ => random.NextDouble() - 0.5).ToArray();
        var full = (double[])start.Clone();
        var lazy = OptimizerCatalog.Create<double>(text);
        var p = new Parameter<double>("e", full, new double[15], [5, 3]);
        lazy.AddGroup(p);
        Assert.True(lazy.SupportsSparseGradients);
        var initialState = lazy.StateBuffers.Select(b => b.Values.ToArray()).ToArray();
        var compact = new double[] { start[3], start[4], start[5], start[9], start[10], start[11] };
        var compactGradient = new double[6];
        var dense = OptimizerCatalog.Create<double>(text);
        dense.AddGroup(new Parameter<double>("e", compact, compactGradient, [2, 3]));
        var sparse = new SparseGradient<double>(3);
        for (int t = 0; t < 4; t++)
        {
            double[] values = Enumerable.Range(0, 6).Select(_ => random.NextDouble() - 0.5).ToArray();
            sparse.Set([3, 1], [.. values[3..], .. values[..3]]);
            p.SparseGradient = sparse;
            lazy.Step();
            values.CopyTo(compactGradient, 0);
            dense.Step();
        }
        Assert.Equal(compact[..3], full[3..6]);
        Assert.Equal(compact[3..], full[9..12]);
        foreach (int i in new[] { 0, 1, 2, 6, 7, 8, 12, 13, 14 }) Assert.Equal(start[i], full[i]);
        var buffers = lazy.StateBuffers.ToArray();
        for (int b = 0; b < buffers.Length; b++)
            foreach (int i in new[] { 0, 1, 2, 6, 7, 8, 12, 13, 14 }) Assert.Equal(initialState[b][i], buffers[b].Values.Span[i]);
    }

    [Theory]
    [InlineData("sgd(lr=0.1, momentum=0.9)")]
    [InlineData("rmsprop(lr=0.01)")]
    [InlineData("adagrad(lr=0.1)")]
    public void LazyStepsOverChangingRowSetsEqualEachRowSteppedAlone(string text)
    {
        // Row sets of different sizes, growing and shrinking (the compact state is reused and longer than the rows present):
        // with rules that do not depend on the step count, each row evolves as a one-row dense optimizer stepped exactly when
        // the row is present.
        var random = new Random(9);
        const int Rows = 6, Width = 3;
        double[] full = Enumerable.Range(0, Rows * Width).Select(_ => random.NextDouble() - 0.5).ToArray();
        var lazy = OptimizerCatalog.Create<double>(text);
        var p = new Parameter<double>("e", full, new double[Rows * Width], [Rows, Width]);
        lazy.AddGroup(p);
        var single = new (double[] Value, double[] Gradient, Optimizer<double> Optimizer)[Rows];
        for (int r = 0; r < Rows; r++)
        {
            single[r] = (full[(r * Width)..((r + 1) * Width)], new double[Width], OptimizerCatalog.Create<double>(text));
            single[r].Optimizer.AddGroup(new Parameter<double>("row", single[r].Value, single[r].Gradient));
        }
        var sparse = new SparseGradient<double>(Width);
        int[][] sets = [[1], [0, 2, 4, 5], [3, 1], [5, 4, 3, 2, 1, 0], [2], [0, 3, 5]];
        foreach (int[] set in sets)
        {
            double[] values = Enumerable.Range(0, set.Length * Width).Select(_ => random.NextDouble() - 0.5).ToArray();
            sparse.Set(set, values);
            p.SparseGradient = sparse;
            lazy.Step();
            for (int i = 0; i < set.Length; i++)
            {
                values.AsSpan(i * Width, Width).CopyTo(single[set[i]].Gradient);
                single[set[i]].Optimizer.Step();
            }
        }
        for (int r = 0; r < Rows; r++)
            for (int k = 0; k < Width; k++) Assert.Equal(single[r].Value[k], full[r * Width + k], 14);
    }

    [Fact]
    public void RulesThatAreNotElementwiseRefuseSparseGradientsClearly()
    {
        var o = Optim.NovoGrad<double>();
        Assert.False(o.SupportsSparseGradients);
        var p = new Parameter<double>("e", new double[6], new double[6], [3, 2]);
        o.AddGroup(p);
        var sparse = new SparseGradient<double>(2);
        sparse.Set([1], [1.0, 2.0]);
        p.SparseGradient = sparse;
        Assert.Contains("element-wise", Assert.Throws<NotSupportedException>(() => o.Step()).Message);
        Assert.Throws<ArgumentException>(() => p.SparseGradient = new SparseGradient<double>(4));
        var q = Optim.SparseAdam<double>();
        var e = new Parameter<double>("e", new double[6], new double[6], [3, 2]);
        q.AddGroup(e);
        sparse.Set([5], [1.0, 2.0]);
        e.SparseGradient = sparse;
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Step());
    }
}
