using Descent.Losses;

namespace Descent.Tests.Losses;

public class LectureExampleTests
{
    private static readonly double[] Predictions = [98, 153, 199, 182, 140];
    private static readonly double[] Targets = [100, 150, 200, 180, 120];

    [Fact]
    public void WorkedExampleMseIs836()
        => Assert.Equal(83.6, new MeanSquaredError<double>().Evaluate(Predictions, Targets, new double[5]), 12);

    [Fact]
    public void WorkedExampleHuberWithDelta5Is193()
        => Assert.Equal(19.3, new Huber<double>(delta: 5).Evaluate(Predictions, Targets, new double[5]), 12);

    [Fact]
    public void WorkedExampleMaeIs56()
        => Assert.Equal(5.6, new MeanAbsoluteError<double>().Evaluate(Predictions, Targets, new double[5]), 12);

    [Fact]
    public void BceOf09ForAPositiveIsMinusLn09()
    {
        double value = new BinaryCrossEntropy<double>().Evaluate([0.9], [1.0], new double[1]);
        Assert.Equal(-Math.Log(0.9), value, 14);
        Assert.Equal(0.105, value, 3);
    }

    [Fact]
    public void CeOfAConfidentCorrectPredictionIsSmallAndOfAConfidentWrongOneIsLarge()
    {
        double[] logits = [10, 0, 0];
        var loss = new SoftmaxCrossEntropy<double>();
        double correct = loss.Evaluate(logits, [0], 3, new double[3]);
        double wrong = loss.Evaluate(logits, [1], 3, new double[3]);
        double lse = Math.Log(Math.Exp(10) + 2);
        Assert.Equal(lse - 10, correct, 12);   // ≈ 9.1e-5
        Assert.Equal(lse, wrong, 12);          // ≈ 10.0001
        Assert.True(correct < 1e-4 && wrong > 10);
    }

    [Fact]
    public void FocalWeightIs001AtP09And025AtP05ForGamma2()
    {
        Assert.Equal(0.01, SigmoidFocal<double>.ModulatingFactor(0.9, 2), 14);
        Assert.Equal(0.25, SigmoidFocal<double>.ModulatingFactor(0.5, 2), 14);
    }

    [Fact]
    public void FocalLossScalesCrossEntropyByTheFocalWeight()
    {
        // p_t = 0.9 for a positive: logit = ln 9; without alpha the focal loss is 0.01 · (-ln 0.9).
        double value = new SigmoidFocal<double>(alpha: -1, gamma: 2).Evaluate([Math.Log(9)], [1.0], new double[1]);
        Assert.Equal(0.01 * -Math.Log(0.9), value, 14);
    }

    [Fact]
    public void DetectionLossIsTheWeightedSumOfItsReportedTerms()
    {
        double[] classLogits = [2, -1, 0.5, 0.1, 1, -2];
        int[] classes = [0, 2];
        double[] boxes = [0.1, 0.2, 0.9, 1.4];
        double[] boxTargets = [0, 0.25, 1, 1];
        double[] objectness = [1.5, -0.5];
        double[] objectTargets = [1, 0];
        var ce = new SoftmaxCrossEntropy<double>();
        var smooth = new SmoothL1<double>(beta: 1.0 / 9);
        var bce = new BinaryCrossEntropyWithLogits<double>();
        var loss = new CompositeLoss<double>(
            new("classification", 1.0, 6, g => ce.Evaluate(classLogits, classes, 3, g)),
            new("box", 2.0, 4, g => smooth.Evaluate(boxes, boxTargets, g)),
            new("objectness", 0.5, 2, g => bce.Evaluate(objectness, objectTargets, g)));
        var gradient = new double[loss.GradientLength];
        var terms = new double[3];
        double total = loss.Evaluate(gradient, terms);
        Assert.Equal(["classification", "box", "objectness"], loss.Terms.Select(t => t.Name));
        Assert.Equal(ce.Evaluate(classLogits, classes, 3, new double[6]), terms[0], 14);
        Assert.Equal(smooth.Evaluate(boxes, boxTargets, new double[4]), terms[1], 14);
        Assert.Equal(bce.Evaluate(objectness, objectTargets, new double[2]), terms[2], 14);
        Assert.Equal(terms[0] + 2 * terms[1] + 0.5 * terms[2], total, 14);
        var boxGradient = new double[4];
        smooth.Evaluate(boxes, boxTargets, boxGradient);
        Assert.Equal(boxGradient.Select(g => 2 * g), gradient.Skip(6).Take(4));
    }
}
