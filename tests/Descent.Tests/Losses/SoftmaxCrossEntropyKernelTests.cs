using Descent.Losses;
using Descent.Numerics;

namespace Descent.Tests.Losses;

public class SoftmaxCrossEntropyKernelTests
{
    private static (float[] Logits, int[] Targets) Batch(int rows, int classes, int seed)
    {
        var random = new Random(seed);
        var logits = new float[rows * classes];
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 20 - 10);
        var targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = r % 17 == 5 ? -100 : random.Next(classes);
        return (logits, targets);
    }

    [Fact]
    public void ResultsAreBitIdenticalForAnyThreadCount()
    {
        var (logits, targets) = Batch(700, 251, 1);
        float? reference = null;
        float[]? referenceGradient = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var gradient = new float[logits.Length];
            float value = new SoftmaxCrossEntropy<float> { MaxDegreeOfParallelism = threads }.Evaluate(logits, targets, 251, gradient);
            if (reference is null) { reference = value; referenceGradient = gradient; continue; }
            Assert.Equal(BitConverter.SingleToInt32Bits(reference.Value), BitConverter.SingleToInt32Bits(value));
            Assert.True(referenceGradient.AsSpan().SequenceEqual(gradient), $"gradient differs with {threads} threads");
        }
    }

    // Class counts around the register width (16 floats), the four-accumulator maximum (64) and the overlapping last register.
    [Theory]
    [InlineData(300, 97)]
    [InlineData(50, 1)]
    [InlineData(50, 15)]
    [InlineData(50, 16)]
    [InlineData(50, 17)]
    [InlineData(50, 63)]
    [InlineData(50, 64)]
    [InlineData(50, 65)]
    [InlineData(80, 1000)]
    public void FusedFloatPathMatchesTheDoubleReference(int rows, int classes)
    {
        var (logits, targets) = Batch(rows, classes, 2);
        var gradient = new float[logits.Length];
        float value = new SoftmaxCrossEntropy<float>().Evaluate(logits, targets, classes, gradient);
        var logitsD = logits.Select(v => (double)v).ToArray();
        var gradientD = new double[logits.Length];
        // Class weights of 1 route double through the general (non-fused) path.
        double valueD = new SoftmaxCrossEntropy<double>(classWeight: Enumerable.Repeat(1.0, classes).ToArray()).Evaluate(logitsD, targets, classes, gradientD);
        Assert.Equal(valueD, value, 1e-5 * Math.Abs(valueD) + 1e-6);
        for (int i = 0; i < gradient.Length; i++) Assert.True(Math.Abs(gradient[i] - gradientD[i]) <= 1e-8 + 1e-5 * Math.Abs(gradientD[i]), $"gradient[{i}]: {gradient[i]} vs {gradientD[i]}");
    }

    // The double kernel path (no weights, no smoothing) against the general double path, for class counts around 8 and 16.
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    public void FusedDoublePathMatchesTheGeneralDoublePath(int classes)
    {
        var (logitsF, targets) = Batch(60, classes, 5);
        var logits = logitsF.Select(v => (double)v * 1.37).ToArray();
        var gradient = new double[logits.Length];
        double value = new SoftmaxCrossEntropy<double>().Evaluate(logits, targets, classes, gradient);
        var reference = new double[logits.Length];
        double expected = new SoftmaxCrossEntropy<double>(classWeight: Enumerable.Repeat(1.0, classes).ToArray()).Evaluate(logits, targets, classes, reference);
        Assert.Equal(expected, value, 1e-13 * Math.Abs(expected) + 1e-15);
        for (int i = 0; i < gradient.Length; i++) Assert.True(Math.Abs(gradient[i] - reference[i]) <= 1e-16 + 1e-13 * Math.Abs(reference[i]), $"gradient[{i}]: {gradient[i]} vs {reference[i]}");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    public void ANaNLogitMakesTheLossAndItsRowNaNAndLeavesOtherRowsAlone(int classes)
    {
        var (logits, targets) = Batch(3, classes, 4);
        targets[1] = 0;
        logits[classes + classes / 2] = float.NaN;
        var gradient = new float[logits.Length];
        var losses = new float[3];
        new SoftmaxCrossEntropy<float>(Reduction.None).Evaluate(logits, targets, classes, gradient, losses);
        Assert.True(float.IsNaN(losses[1]));
        Assert.All(gradient.Skip(classes).Take(classes), g => Assert.True(float.IsNaN(g)));
        Assert.True(float.IsFinite(losses[0]) && float.IsFinite(losses[2]));
        Assert.All(gradient.Take(classes).Concat(gradient.Skip(2 * classes)), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void SumAndNoneReductionsOfTheFusedPathAgree()
    {
        var (logits, targets) = Batch(40, 10, 3);
        var g1 = new float[logits.Length];
        var g2 = new float[logits.Length];
        var losses = new float[40];
        float sum = new SoftmaxCrossEntropy<float>(Reduction.Sum).Evaluate(logits, targets, 10, g1);
        float none = new SoftmaxCrossEntropy<float>(Reduction.None).Evaluate(logits, targets, 10, g2, losses);
        Assert.Equal(sum, none);
        Assert.Equal(g1, g2);
        Assert.All(losses.Where((_, r) => targets[r] == -100), l => Assert.Equal(0f, l));
    }
}
