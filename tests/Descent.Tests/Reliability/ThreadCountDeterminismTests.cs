using Descent.Numerics;
using Descent.Optimizers;

namespace Descent.Tests.Reliability;

/// <summary>
/// Results never depend on the degree of parallelism: 1, 2 and 8 threads give bit-identical results for the
/// blocked reductions, the matrix product, a fused AdamW step and the fused softmax cross-entropy.
/// </summary>
public class ThreadCountDeterminismTests
{
    private static readonly int[] ThreadCounts = [1, 2, 8];

    private static float[] Random(int length, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = scale * (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static void SameForEveryThreadCount(Func<int, float[]> compute)
    {
        float[]? reference = null;
        foreach (int threads in ThreadCounts)
        {
            var result = compute(threads);
            if (reference is null) reference = result;
            else Assert.True(reference.AsSpan().SequenceEqual(result), $"{threads} threads differ from {ThreadCounts[0]}.");
        }
    }

    [Fact]
    public void DotOnOneMillionElements()
    {
        var x = Random(1_000_000, 1);
        var y = Random(1_000_000, 2);
        SameForEveryThreadCount(_ => [Reductions.Dot<float>(x, y), Reductions.SumOfSquares<float>(x), Reductions.Sum<float>(y)]);
    }

    [Fact]
    public void MatrixMultiply300x200x150()
    {
        const int m = 300, k = 200, n = 150;
        var a = Random(m * k, 3);
        var b = Random(k * n, 4);
        SameForEveryThreadCount(threads =>
        {
            var c = new float[m * n];
            MatrixMultiply.Multiply<float>(a, b, c, m, k, n, threads);
            return c;
        });
    }

    [Fact]
    public void FusedAdamWStepOn300kFloats()
    {
        const int length = 300_000;
        var initial = Random(length, 5);
        var gradients = new[] { Random(length, 6), Random(length, 7), Random(length, 8) };
        SameForEveryThreadCount(threads =>
        {
            var value = (float[])initial.Clone();
            var gradient = new float[length];
            var adamw = Optim.AdamW<float>(learningRate: 1e-2, weightDecay: 0.1);
            adamw.MaxDegreeOfParallelism = threads;
            adamw.AddGroup(new Parameter<float>("w", value, gradient));
            Assert.True(adamw.HasFusedKernel);
            foreach (var g in gradients)
            {
                g.CopyTo(gradient, 0);
                adamw.Step();
            }
            return [.. value, .. adamw.StateBuffers.SelectMany(s => s.Values.ToArray())];
        });
    }

    [Fact]
    public void FusedSoftmaxCrossEntropy512x1000()
    {
        const int rows = 512, classes = 1000;
        var logits = Random(rows * classes, 9, 5f);
        var rng = new Random(10);
        var targets = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
        targets[3] = -100; // an ignored row
        SameForEveryThreadCount(threads =>
        {
            var gradient = new float[rows * classes];
            var rowLoss = new float[rows];
            SoftmaxKernels.CrossEntropy<float>(logits, targets, classes, -100, 1f / rows, gradient, rowLoss, threads);
            return [.. gradient, .. rowLoss];
        });
    }
}
