using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Tests;

namespace Descent.Lab.Tests.Models;

public class MlpTests
{
    /// <summary>Mean softmax cross-entropy of the logits (in double) and, optionally, its gradient dLoss/dLogits (test-only helper).</summary>
    private static double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, int[] labels, int classes, float[]? gradient)
    {
        int batch = labels.Length;
        double total = 0;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * classes, classes);
            double max = double.NegativeInfinity;
            foreach (float v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            double logSum = max + Math.Log(sum);
            total += logSum - row[labels[i]];
            if (gradient is not null)
            {
                for (int j = 0; j < classes; j++)
                {
                    gradient[i * classes + j] = (float)((Math.Exp(row[j] - logSum) - (j == labels[i] ? 1 : 0)) / batch);
                }
            }
        }
        return total / batch;
    }

    [Fact]
    public void LayoutAndInitialisation()
    {
        var mlp = new Mlp([784, 256, 10], 128, seed: 1);
        Assert.Equal(new[] { "W1", "b1", "W2", "b2" }, mlp.Parameters.Select(p => p.Name));
        Assert.Equal(new[] { 256, 784 }, mlp["W1"].Shape);
        Assert.Equal(784 * 256 + 256 + 256 * 10 + 10, mlp.Values.Length);
        Assert.All(mlp["b1"].Value.ToArray(), b => Assert.Equal(0f, b));
        float[] w1 = mlp["W1"].Value.ToArray();
        double variance = w1.Average(w => (double)w * w);
        Assert.InRange(variance, 0.9 * 2.0 / 784, 1.1 * 2.0 / 784);
        Assert.Equal(mlp.Values, new Mlp([784, 256, 10], 128, seed: 1).Values);
        Assert.NotEqual(mlp.Values, new Mlp([784, 256, 10], 128, seed: 2).Values);
    }

    [Fact]
    public void ForwardMatchesADoubleReference()
    {
        var mlp = new Mlp([6, 5, 4, 3], 8, seed: 3);
        var random = new SeededRandom(5);
        var x = new float[7 * 6];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextGaussian();
        foreach (var p in mlp.Parameters.Where(p => p.Name.StartsWith('b'))) p.Value.Span.Fill(0.1f);
        float[] logits = mlp.Forward(x, 7).ToArray();
        int[] sizes = [6, 5, 4, 3];
        for (int s = 0; s < 7; s++)
        {
            double[] a = x.Skip(s * 6).Take(6).Select(v => (double)v).ToArray();
            for (int l = 1; l < 4; l++)
            {
                float[] w = mlp[$"W{l}"].Value.ToArray();
                var z = new double[sizes[l]];
                for (int o = 0; o < sizes[l]; o++)
                {
                    z[o] = 0.1;
                    for (int i = 0; i < sizes[l - 1]; i++) z[o] += w[o * sizes[l - 1] + i] * a[i];
                    if (l < 3) z[o] = Math.Max(0, z[o]);
                }
                a = z;
            }
            for (int j = 0; j < 3; j++) Assert.Equal(a[j], logits[s * 3 + j], 1e-5);
        }
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        var mlp = new Mlp([5, 8, 6, 3], 4, seed: 11);
        var random = new SeededRandom(12);
        var x = new float[4 * 5];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextGaussian();
        foreach (var p in mlp.Parameters.Where(p => p.Name.StartsWith('b')))
        {
            var span = p.Value.Span;
            for (int i = 0; i < span.Length; i++) span[i] = (float)(0.1 * random.NextGaussian());
        }
        int[] labels = [0, 2, 1, 2];
        var dLogits = new float[4 * 3];
        SoftmaxCrossEntropy(mlp.Forward(x, 4), labels, 3, dLogits);
        mlp.Backward(dLogits);
        float[] analytic = (float[])mlp.Gradients.Clone();
        Assert.Contains(analytic, g => g != 0);
        const float h = 1e-2f;
        int checkedCount = 0;
        for (int i = 0; i < mlp.Values.Length; i += 3)
        {
            float saved = mlp.Values[i];
            mlp.Values[i] = saved + h;
            double up = SoftmaxCrossEntropy(mlp.Forward(x, 4), labels, 3, null);
            mlp.Values[i] = saved - h;
            double down = SoftmaxCrossEntropy(mlp.Forward(x, 4), labels, 3, null);
            mlp.Values[i] = saved;
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"parameter {i}: numeric {numeric}, backprop {analytic[i]}");
            checkedCount++;
        }
        Assert.True(checkedCount > 30);
    }

    [Fact]
    public void PlainSgdStepsReduceTheLossOnMnist()
    {
        var (train, _) = Mnist.LoadDirectory(TestPaths.MnistDirectory);
        const int batch = 64;
        var mlp = new Mlp([784, 256, 10], batch, seed: 1);
        var x = new float[batch * 784];
        var labels = new int[batch];
        int[] indices = Enumerable.Range(0, batch).ToArray();
        train.Gather(indices, x, labels);
        var dLogits = new float[batch * 10];
        double first = SoftmaxCrossEntropy(mlp.Forward(x, batch), labels, 10, dLogits);
        for (int step = 0; step < 15; step++)
        {
            mlp.Backward(dLogits);
            for (int i = 0; i < mlp.Values.Length; i++) mlp.Values[i] -= 0.1f * mlp.Gradients[i];
            SoftmaxCrossEntropy(mlp.Forward(x, batch), labels, 10, dLogits);
        }
        double last = SoftmaxCrossEntropy(mlp.Forward(x, batch), labels, 10, null);
        Assert.True(last < 0.5 * first, $"loss {first} -> {last}");
    }

    [Fact]
    public void ForwardAndBackwardDoNotAllocateAfterWarmUp()
    {
        var mlp = new Mlp([20, 16, 4], 8, seed: 1);
        var x = new float[8 * 20];
        var g = new float[8 * 4];
        for (int i = 0; i < g.Length; i++) g[i] = 0.01f * i;
        mlp.Forward(x, 8);
        mlp.Backward(g);
        Assert.Equal(0, SteadyStateAllocation.Measure(() => { mlp.Forward(x, 8); mlp.Backward(g); }, calls: 10));
    }

    [Fact]
    public void RejectsBadShapes()
    {
        var mlp = new Mlp([4, 3, 2], 2, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => mlp.Forward(new float[12], 3));
        Assert.Throws<ArgumentException>(() => mlp.Forward(new float[7], 2));
        Assert.Throws<InvalidOperationException>(() => mlp.Backward(new float[4]));
        mlp.Forward(new float[8], 2);
        Assert.Throws<ArgumentException>(() => mlp.Backward(new float[3]));
    }
}
