using Descent.Losses;

namespace Descent.Tests.Losses;

public class ExtremeInputTests
{
    private static void AllFinite(double value, double[] gradient)
    {
        Assert.True(double.IsFinite(value), $"value {value}");
        Assert.All(gradient, g => Assert.True(double.IsFinite(g), $"gradient {g}"));
    }

    [Fact]
    public void BceWithLogitsOfPlusMinus1000IsFinite()
    {
        double[] x = [1000, -1000, 1000, -1000];
        double[] y = [1, 1, 0, 0];
        var g = new double[4];
        var losses = new double[4];
        double value = new BinaryCrossEntropyWithLogits<double>(Reduction.None, positiveWeight: [2.0]).Evaluate(x, y, g, losses);
        AllFinite(value, g);
        Assert.Equal([0, 2000, 1000, 0], losses);
        Assert.Equal([0, -2, 1, 0], g);
        var gf = new float[4];
        float vf = new BinaryCrossEntropyWithLogits<float>().Evaluate([1000f, -1000f, 1000f, -1000f], [1f, 1f, 0f, 0f], gf);
        Assert.Equal(500f, vf);
        Assert.All(gf, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void SoftmaxCrossEntropyOfPlusMinus1000IsFinite()
    {
        double[] logits = [1000, -1000, 0, -1000, 1000, 1000];
        var g = new double[6];
        double value = new SoftmaxCrossEntropy<double>(Reduction.Sum).Evaluate(logits, [1, 0], 3, g);
        AllFinite(value, g);
        Assert.Equal(2000 + 2000 + Math.Log(2), value, 9);
        var gf = new float[6];
        float vf = new SoftmaxCrossEntropy<float>(labelSmoothing: 0.1).Evaluate([1000f, -1000f, 0f, -1000f, 1000f, 1000f], [1, 0], 3, gf);
        Assert.True(float.IsFinite(vf));
        Assert.All(gf, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void FocalLossesOfPlusMinus1000AreFinite()
    {
        double[] x = [1000, -1000, 1000, -1000];
        double[] y = [1, 1, 0, 0];
        var g = new double[4];
        AllFinite(new SigmoidFocal<double>(0.25, 2).Evaluate(x, y, g), g);
        AllFinite(new SigmoidFocal<double>(0.25, 0.5).Evaluate(x, y, g), g);
        var gs = new double[6];
        AllFinite(new SoftmaxFocal<double>(2).Evaluate([1000, -1000, 0, -1000, 1000, 1000], [1, 0], 3, gs), gs);
        AllFinite(new SoftmaxFocal<double>(0.5).Evaluate([1000, -1000, 0, -1000, 1000, 1000], [0, 0], 3, gs), gs);
    }

    [Fact]
    public void BceClampsTheLogAtMinus100ForProbabilitiesOf0And1()
    {
        var g = new double[4];
        var losses = new double[4];
        double value = new BinaryCrossEntropy<double>(Reduction.None).Evaluate([0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], g, losses);
        Assert.Equal([100, 100, 0, 0], losses);
        AllFinite(value, g);
        var gf = new float[2];
        float vf = new BinaryCrossEntropy<float>().Evaluate([0f, 1f], [1f, 0f], gf);
        Assert.Equal(100f, vf);
        Assert.All(gf, v => Assert.True(float.IsFinite(v)));
    }
}
