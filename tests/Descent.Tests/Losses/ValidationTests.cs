using Descent.Losses;

namespace Descent.Tests.Losses;

public class ValidationTests
{
    [Fact]
    public void ShapeMismatchNamesTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => new MeanSquaredError<double>().Evaluate([1.0, 2.0], [1.0], new double[2]));
        Assert.Equal("target", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new Huber<double>().Evaluate([1.0, 2.0], [1.0, 2.0], new double[3]));
        Assert.Equal("gradient", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy<float>().Evaluate(new float[7], [0, 1], 3, new float[7]));
        Assert.Equal("logits", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new MeanAbsoluteError<double>(Reduction.None).Evaluate([1.0], [1.0], new double[1], new double[0]));
        Assert.Equal("losses", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new TripletMargin<double>().Evaluate(new double[6], new double[6], new double[3], 3, new double[6], new double[6], new double[6]));
        Assert.Equal("negative", e.ParamName);
    }

    [Fact]
    public void OutOfRangeClassIndexIsRejectedAndChangesNothing()
    {
        var gradient = new float[] { 7, 7, 7, 7, 7, 7 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy<float>().Evaluate(new float[6], [0, 3], 3, gradient));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("targets[1] = 3", e.Message);
        Assert.All(gradient, g => Assert.Equal(7f, g));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy<float>().Evaluate(new float[6], [-1, 0], 3, gradient));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NegativeLogLikelihood<double>().Evaluate(new double[6], [0, 5], 3, new double[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiMargin<double>().Evaluate(new double[6], [0, -100], 3, new double[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxFocal<double>().Evaluate(new double[6], [0, 3], 3, new double[6]));
    }

    [Fact]
    public void TheIgnoreIndexIsAccepted()
    {
        var gradient = new double[6];
        double value = new SoftmaxCrossEntropy<double>(ignoreIndex: -1).Evaluate([1, 2, 3, 1, 2, 3], [-1, 2], 3, gradient);
        Assert.Equal(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3, value, 12);
        Assert.Equal([0, 0, 0], gradient.Take(3));
    }

    [Fact]
    public void NegativeWeightsAreRejectedNamingTheArgument()
    {
        Assert.Equal("weight", Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossEntropy<double>(weight: [1.0, -0.5])).ParamName);
        Assert.Equal("positiveWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossEntropyWithLogits<double>(positiveWeight: [-1.0])).ParamName);
        Assert.Equal("classWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy<float>(classWeight: [1f, -1f])).ParamName);
        Assert.Equal("classWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new NegativeLogLikelihood<double>(classWeight: [double.NaN])).ParamName);
        Assert.Equal("l1", Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticNet<double>(-1, 0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompositeLoss<double>(new CompositeTerm<double>("a", -1, 1, g => 0)));
    }

    [Fact]
    public void InvalidHyperparametersAreRejected()
    {
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => new Huber<double>(0)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothL1<double>(-1)).ParamName);
        Assert.Equal("labelSmoothing", Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy<double>(labelSmoothing: 1.5)).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => new Quantile<double>(2)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new SigmoidFocal<double>(0.25, -1)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new TripletMargin<double>(p: 0.5)).ParamName);
    }

    [Fact]
    public void LabelsOutsideTheirSetAreRejected()
    {
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => new Hinge<double>().Evaluate([1.0], [0.0], new double[1])).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new Contrastive<double>().Evaluate([1.0], [2.0], [2.0], 1, new double[1], new double[1])).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new CosineEmbedding<double>().Evaluate([1.0], [2.0], [0.0], 1, new double[1], new double[1])).ParamName);
    }
}

public class CrossEntropySemanticsTests
{
    [Fact]
    public void IgnoredRowsDoNotCountInTheMeanEvenWithLabelSmoothing()
    {
        double[] logits = [1, 2, 3, 0.5, -1, 2, 4, 4, 4];
        var all = new double[9];
        var kept = new double[6];
        double withIgnored = new SoftmaxCrossEntropy<double>(labelSmoothing: 0.2).Evaluate(logits, [2, -100, 0], 3, all);
        double without = new SoftmaxCrossEntropy<double>(labelSmoothing: 0.2).Evaluate([1, 2, 3, 4, 4, 4], [2, 0], 3, kept);
        Assert.Equal(without, withIgnored, 14);
        Assert.Equal(kept.Take(3), all.Take(3));
        Assert.Equal(kept.Skip(3), all.Skip(6));
    }
}
