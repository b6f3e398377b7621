using Descent.Lab.Experiments;
using Descent.Lab.Statistics;
using Descent.Optimizers;

namespace Descent.Lab.Tests.Experiments;

public class EveryOptimizerExperimentTests
{
    [Fact]
    public void EveryCatalogOptimizerHasATrainingExampleThatParsesToItself()
    {
        foreach (var d in OptimizerCatalog.All)
        {
            Assert.StartsWith(d.Name + "(", d.TrainingExample);
            Assert.Equal(d.Name, OptimizerCatalog.Parse(d.TrainingExample).Name);
            Assert.NotNull(OptimizerCatalog.Create<float>(d.TrainingExample));
        }
    }

    [Fact]
    public void IsExperiment18OfTheCatalog()
    {
        var e = Assert.Single(ExperimentCatalog.All, e => e.Number == 18);
        Assert.Equal("mnist-every-optimizer", e.Id);
        Assert.IsType<EveryOptimizerExperiment>(e);
    }

    [Theory]
    [InlineData("yogi")]
    [InlineData("novograd")]
    [InlineData("ftrl")]
    [InlineData("sgd_agc")]
    [InlineData("dog")]
    [InlineData("asgd")]
    [InlineData("sparse_adam")]
    public void Issue20sMinibatchOptimizersAreInTheTableWithANamedFamily(string name)
    {
        var d = Assert.Single(OptimizerCatalog.All, d => d.Name == name);
        Assert.True(d.MinibatchMethod);
        var (family, grid) = EveryOptimizerExperiment.FamilyOf(d);
        Assert.NotEqual("unlisted", family);
        Assert.Equal(EveryOptimizerExperiment.FamilyGrids[family], grid);
    }

    [Fact]
    public void RpropIsLeftOutAsAFullBatchMethod()
    {
        Assert.False(Assert.Single(OptimizerCatalog.All, d => d.Name == "rprop").MinibatchMethod);
    }

    [Fact]
    public void EveryRateOfEveryGridGivesAValidOptimizerText()
    {
        foreach (var d in OptimizerCatalog.All.Where(d => d.MinibatchMethod))
        {
            var (_, grid) = EveryOptimizerExperiment.FamilyOf(d);
            Assert.True(grid.Length >= 3, d.Name);
            Assert.Equal(grid.Order(), grid);
            foreach (double lr in grid)
                Assert.Equal(lr, OptimizerCatalog.Parse(MnistTuning.WithLearningRate(d.TrainingExample, lr)).Number("lr"));
        }
    }

    [Fact]
    public void WithLearningRateReplacesOnlyLrOrAddsIt()
    {
        Assert.Equal("muon(lr=0.1, adam_lr=1e-3)", MnistTuning.WithLearningRate("muon(lr=0.02, adam_lr=1e-3)", 0.1));
        Assert.Equal("dog(lr=0.3)", MnistTuning.WithLearningRate("dog()", 0.3));
        Assert.Equal("sgd(lr=0.5, momentum=0.9)", MnistTuning.WithLearningRate("sgd(momentum=0.9)", 0.5));
        Assert.ThrowsAny<FormatException>(() => MnistTuning.WithLearningRate("adam()", -1));
    }

    [Fact]
    public void ChooseTakesTheBestValidationAccuracyAndNeverANan()
    {
        Assert.Equal(2, MnistTuning.Choose([90, 91, 93, 92]));
        Assert.Equal(0, MnistTuning.Choose([95, 95, 94]));
        Assert.Equal(1, MnistTuning.Choose([double.NaN, 80]));
    }

    [Fact]
    public void DecisionRuleOnConstructedSeeds()
    {
        double[] reference = [94.0, 94.4, 93.8, 94.2, 94.1];
        // equal up to small noise: non-inferior at margin 0.5
        double[] same = [94.1, 94.3, 93.9, 94.1, 94.2];
        var t = PairedTTest.Test(same, reference, Alternative.Greater, -EveryOptimizerExperiment.Margin);
        Assert.Equal(Verdict.Supported, EveryOptimizerExperiment.Decide(t.PValue, t.Interval!.Value));
        // two points worse on every seed: inferior by more than the margin
        double[] worse = reference.Select((v, i) => v - 2 + 0.1 * (i % 2)).ToArray();
        t = PairedTTest.Test(worse, reference, Alternative.Greater, -EveryOptimizerExperiment.Margin);
        Assert.Equal(Verdict.NotSupported, EveryOptimizerExperiment.Decide(t.PValue, t.Interval!.Value));
        // half a point worse with a wide spread: cannot decide
        double[] noisy = [93.0, 94.9, 92.9, 94.6, 93.6];
        t = PairedTTest.Test(noisy, reference, Alternative.Greater, -EveryOptimizerExperiment.Margin);
        Assert.Equal(Verdict.Inconclusive, EveryOptimizerExperiment.Decide(t.PValue, t.Interval!.Value));
        // the rule itself at its boundaries
        Assert.Equal(Verdict.Supported, EveryOptimizerExperiment.Decide(0.05, new Interval(-2, 1, 0.95)));
        Assert.Equal(Verdict.NotSupported, EveryOptimizerExperiment.Decide(0.06, new Interval(-2, -0.51, 0.95)));
        Assert.Equal(Verdict.Inconclusive, EveryOptimizerExperiment.Decide(0.06, new Interval(-2, -0.5, 0.95)));
    }

    [Fact]
    public void TheSplitKeepsValidationApartFromTrainingAndTest()
    {
        var split = MnistTuning.Carve(TestPaths.MnistDirectory, 16, 1000, 500);
        Assert.Equal(1000, split.Fit.Train.Count);
        Assert.Equal(500, split.Validation.Count);
        var all = Descent.Lab.Training.TrainingProblem.Create("mnist-mlp", 16, TestPaths.MnistDirectory);
        Assert.Equal(all.Test.Features, split.Test.Features);
        int n = all.Train.Count, d = all.Train.FeatureCount;
        // the validation images are the last ones of the training file, the training images the first ones
        Assert.Equal(all.Train.Features.AsSpan((n - 500) * d, 500 * d).ToArray(), split.Validation.Features);
        Assert.Equal(all.Train.Features.AsSpan(0, 1000 * d).ToArray(), split.Fit.Train.Features);
        Assert.Throws<ArgumentOutOfRangeException>(() => MnistTuning.Carve(TestPaths.MnistDirectory, 16, n, 1));
    }

    [Fact]
    public void QuickRunReportsTheResultRecordAndIsInconclusive()
    {
        string dir = TestPaths.TempDirectory();
        var r = new EveryOptimizerExperiment().Run(new ExperimentContext(dir, TestPaths.MnistDirectory, Quick: true, Seed: 0, _ => { }));
        Assert.NotNull(r.Source);
        Assert.False(string.IsNullOrWhiteSpace(r.Design));
        Assert.False(string.IsNullOrWhiteSpace(r.Test));
        Assert.NotNull(r.PValue);
        Assert.NotNull(r.Interval);
        Assert.NotNull(r.Statistic);
        Assert.Equal(Verdict.Inconclusive, r.ReportedOutcome(quick: true));
        var optimizers = (Dictionary<string, object>)r.Numbers["optimizers"];
        Assert.Contains(EveryOptimizerExperiment.Reference, optimizers.Keys);
        Assert.Contains(EveryOptimizerExperiment.Primary, optimizers.Keys);
        Assert.Contains("rprop", (string[])r.Numbers["left_out"]);
        foreach (var entry in optimizers.Values.Cast<Dictionary<string, object>>())
            Assert.Equal(((int[])r.Numbers["seeds"]).Length, ((double[])entry["test_accuracy"]).Length);
        Assert.All(r.Figures, f => Assert.True(File.Exists(Path.Combine(dir, f.PngFile)), f.PngFile));
    }
}
