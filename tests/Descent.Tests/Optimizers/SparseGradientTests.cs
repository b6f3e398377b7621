using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>Row-sparse gradients and lazy steps (PyTorch parity of SparseAdam with real sparse gradients: sparse-adam*.json in
/// <see cref="OptimizerParityTests"/>).</summary>
public class SparseGradientTests
{
    [Fact]
    public void Set_coalesces_repeated_rows_in_order_and_sorts_them()
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
    public void Lazy_step_moves_only_present_rows_and_equals_a_dense_step_on_them(string text)
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

    [Fact]
    public void Rules_that_are_not_elementwise_refuse_sparse_gradients_clearly()
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
