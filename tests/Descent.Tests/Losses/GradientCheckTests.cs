using Descent.Losses;

namespace Descent.Tests.Losses;

/// <summary>Every loss's analytic gradient against central differences (the public checker), on random inputs away from kinks.</summary>
public class GradientCheckTests
{
    private static double[] Random(int n, int seed, double low = -2, double high = 2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    private static void Passes(LossFunction loss, double[] input)
    {
        var result = GradientChecker.Check(loss, input);
        Assert.True(result.Passed, result.ToString());
    }

    public static TheoryData<string> Reductions => new() { "Mean", "Sum", "None" };

    private static Reduction Parse(string r) => Enum.Parse<Reduction>(r);

    // The None reduction returns the sum of the element losses, whose gradient is written.
    private static LossFunction Pointwise(PointwiseLoss<double> loss, double[] target, int n)
    {
        var losses = new double[n];
        return (x, g) => loss.Evaluate(x, target, g, loss.Reduction == Reduction.None ? losses : default);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void RegressionLosses(string reduction)
    {
        var r = Parse(reduction);
        double[] x = Random(12, 1), y = Random(12, 2);
        double[] w = Random(4, 3, 0.1, 2);
        // keep |x - y| away from 0, from the Huber/SmoothL1 thresholds and from each other
        for (int i = 0; i < x.Length; i++) x[i] = y[i] + (i % 2 == 0 ? 1 : -1) * (0.1 + 0.23 * i);
        Passes(Pointwise(new MeanSquaredError<double>(r, w), y, 12), x);
        Passes(Pointwise(new MeanAbsoluteError<double>(r), y, 12), x);
        Passes(Pointwise(new Huber<double>(1.05, r, w), y, 12), x);
        Passes(Pointwise(new SmoothL1<double>(0.55, r), y, 12), x);
        Passes(Pointwise(new LogCosh<double>(r, w), y, 12), x);
        Passes(Pointwise(new Quantile<double>(0.8, r), y, 12), x);
        Passes((a, g) => new MeanSquaredError<double>(r).Evaluate(a, y, g, r == Reduction.None ? new double[12] : default), x);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void BinaryClassificationLosses(string reduction)
    {
        var r = Parse(reduction);
        double[] logits = Random(12, 4, -3, 3);
        double[] probabilities = Random(12, 5, 0.05, 0.95);
        double[] labels = Random(12, 6).Select(v => v > 0 ? 1.0 : 0.0).ToArray();
        double[] soft = Random(12, 7, 0, 1);
        double[] signs = labels.Select(v => 2 * v - 1).ToArray();
        double[] w = Random(12, 8, 0.1, 2);
        Passes(Pointwise(new BinaryCrossEntropy<double>(r, w), soft, 12), probabilities);
        Passes(Pointwise(new BinaryCrossEntropyWithLogits<double>(r, w, [0.5, 3.0, 1.0]), soft, 12), logits);
        Passes(Pointwise(new SoftMargin<double>(r), signs, 12), logits);
        Passes(Pointwise(new SigmoidFocal<double>(0.25, 2, r), labels, 12), logits);
        Passes(Pointwise(new SigmoidFocal<double>(-1, 0.7, r, w), soft, 12), logits);
        double[] away = logits.Select((v, i) => signs[i] * (1 + (i % 2 == 0 ? 0.3 : -0.3) * (1 + i * 0.1))).ToArray();
        Passes(Pointwise(new Hinge<double>(false, r), signs, 12), away);
        Passes(Pointwise(new Hinge<double>(true, r, w), signs, 12), away);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void SoftmaxCrossEntropyInAllItsForms(string reduction)
    {
        var r = Parse(reduction);
        const int rows = 5, classes = 4;
        double[] logits = Random(rows * classes, 9, -3, 3);
        int[] targets = [0, 3, -100, 2, 1];
        double[] weight = [0.5, 1.5, 1.0, 2.0];
        double[] probabilities = Random(rows * classes, 10, 0, 1);
        var losses = new double[r == Reduction.None ? rows : 0];
        Passes((x, g) => new SoftmaxCrossEntropy<double>(r).Evaluate(x, targets, classes, g, losses), logits);
        Passes((x, g) => new SoftmaxCrossEntropy<double>(r, weight, labelSmoothing: 0.2).Evaluate(x, targets, classes, g, losses), logits);
        Passes((x, g) => new SoftmaxCrossEntropy<double>(r, labelSmoothing: 0.1).Evaluate(x, targets, classes, g, losses), logits);
        Passes((x, g) => new SoftmaxCrossEntropy<double>(r, weight, labelSmoothing: 0.1).Evaluate(x, probabilities, classes, g, losses), logits);
        Passes((x, g) => new SoftmaxFocal<double>(2, r, weight).Evaluate(x, [0, 3, 1, 2, 1], classes, g, losses), logits);
        Passes((x, g) => new SoftmaxFocal<double>(0.5, r).Evaluate(x, [0, 3, 1, 2, 1], classes, g, losses), logits);
        Passes((x, g) => new NegativeLogLikelihood<double>(r, weight).Evaluate(x, targets, classes, g, losses), logits);
        Passes((x, g) => new MultiMargin<double>(0.7, 1, r, weight).Evaluate(x, [0, 3, 1, 2, 1], classes, g, losses), logits);
        Passes((x, g) => new MultiMargin<double>(1.0, 2, r).Evaluate(x, [0, 3, 1, 2, 1], classes, g, losses), logits);
    }

    [Fact]
    public void KlDivergence()
    {
        double[] logP = Random(12, 11, -3, -0.1);
        double[] t = Random(12, 12, 0, 1);
        foreach (var r in Enum.GetValues<KLReduction>())
            Passes((x, g) => new KullbackLeibler<double>(r).Evaluate(x, t, 3, g, r == KLReduction.None ? new double[12] : default), logP);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void MetricLearningLosses(string reduction)
    {
        var r = Parse(reduction);
        const int n = 4, d = 3;
        double[] pairs = Random(2 * n * d, 13);
        double[] contrastiveLabels = [0, 1, 1, 0];
        double[] cosineLabels = [1, -1, -1, 1];
        var losses = new double[r == Reduction.None ? n : 0];
        Passes((x, g) => new Contrastive<double>(2.5, 1e-12, r).Evaluate(x[..(n * d)], x[(n * d)..], contrastiveLabels, d, g[..(n * d)], g[(n * d)..], losses), pairs);
        Passes((x, g) => new CosineEmbedding<double>(-0.5, r).Evaluate(x[..(n * d)], x[(n * d)..], cosineLabels, d, g[..(n * d)], g[(n * d)..], losses), pairs);
        double[] triplets = Random(3 * n * d, 14);
        foreach (double p in new[] { 2.0, 3.0, 1.5 })
            foreach (bool swap in new[] { false, true })
                Passes((x, g) => new TripletMargin<double>(3.0, p, 1e-6, swap, r).Evaluate(x[..(n * d)], x[(n * d)..(2 * n * d)], x[(2 * n * d)..], d,
                    g[..(n * d)], g[(n * d)..(2 * n * d)], g[(2 * n * d)..], losses), triplets);
    }

    [Theory]
    [InlineData(TripletMiningStrategy.BatchAll)]
    [InlineData(TripletMiningStrategy.BatchHard)]
    [InlineData(TripletMiningStrategy.SemiHard)]
    public void TripletMiningStrategies(TripletMiningStrategy strategy)
    {
        double[] embeddings = Random(8 * 3, 15);
        int[] labels = [0, 1, 0, 2, 1, 2, 0, 1];
        var loss = new TripletMining<double>(strategy, margin: 1.0);
        Passes((x, g) => loss.Evaluate(x, labels, 3, g), embeddings);
        Assert.True(loss.Triplets > 0);
    }

    [Fact]
    public void RegularizationTerms()
    {
        double[] w = Random(9, 16).Select(v => v + Math.Sign(v) * 0.05).ToArray();
        Passes((x, g) => ElasticNet<double>.L1(0.3).Evaluate(x, g), w);
        Passes((x, g) => ElasticNet<double>.L2(0.3).Evaluate(x, g), w);
        Passes((x, g) => new ElasticNet<double>(0.01, 0.1).Evaluate(x, g), w);
        var gradient = new double[3];
        ElasticNet<double>.L1(0.5).Evaluate([0.0, 2.0, -1.0], gradient);
        Assert.Equal([0.0, 0.5, -0.5], gradient);   // sub-gradient 0 at 0
    }

    [Fact]
    public void CompositeOfLosses()
    {
        double[] input = Random(10, 17);
        var ce = new SoftmaxCrossEntropy<double>();
        var smooth = new SmoothL1<double>(0.05);
        double[] boxTargets = [0.5, -0.5, 0.25, 1.0];
        double[] current = input;
        var loss = new CompositeLoss<double>(
            new("classification", 1.5, 6, g => ce.Evaluate(current.AsSpan(0, 6), [2, 0], 3, g)),
            new("box", 0.5, 4, g => smooth.Evaluate(current.AsSpan(6, 4), boxTargets, g)));
        Passes((x, g) => { current = x.ToArray(); return loss.Evaluate(g, new double[2]); }, input);
    }

    [Fact]
    public void TheCheckerCatchesAWrongGradient()
    {
        var result = GradientChecker.Check((x, g) => { g[0] = 3 * x[0]; return x[0] * x[0]; }, [1.0]);
        Assert.False(result.Passed);
        Assert.Equal(0, result.WorstIndex);
        Assert.Equal(3.0, result.Analytic);
        Assert.Equal(2.0, result.Numeric, 6);
    }
}
