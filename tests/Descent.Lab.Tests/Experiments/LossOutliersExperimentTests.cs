using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class LossOutliersExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    [Fact]
    public void FivePointValuesAreTheLecturesNumbers()
    {
        var (mse, huber, mae) = LossOutliersExperiment.FivePointValues();
        Assert.Equal(83.6, mse, 9);
        Assert.Equal(19.3, huber, 9);
        Assert.Equal(5.6, mae, 9);
    }

    [Fact]
    public void RobustLossesFitTheTrueLineBetterThanMse()
    {
        var data = SyntheticData.RegressionWithOutliers(200, 3, slope: 2, intercept: 1);
        var mse = LossOutliersExperiment.FitLine(data, new MeanSquaredError<double>(), 2000, 0.05);
        var mae = LossOutliersExperiment.FitLine(data, new MeanAbsoluteError<double>(), 2000, 0.05);
        double E((double S, double I) f) => Math.Abs(f.S - 2) + Math.Abs(f.I - 1);
        Assert.True(E(mae) < 0.1, $"MAE fit {mae}");
        Assert.True(E(mae) < E(mse), $"MAE {mae} vs MSE {mse}");
    }

    [Fact]
    public void Experiment1RunsAndIsSupported()
    {
        var ctx = Context();
        var r = new LossOutliersExperiment().Run(ctx);
        Assert.True(r.Supported, r.Summary);
        Assert.NotNull(r.PValue);
        Assert.NotNull(r.Interval);
        Assert.Equal(Verdict.Inconclusive, r.ReportedOutcome(quick: true));
        Assert.True(File.Exists(Path.Combine(ctx.OutputDirectory, r.Figures[0].PngFile)));
    }

    [Fact]
    public void RuleComparesTheErrorsPairedByDataSet()
    {
        double[] mse = [1.0, 1.2, 0.9, 1.1, 1.3, 0.8, 1.05, 0.95];
        double[] small = mse.Select(v => v / 10).ToArray();
        double[] large = mse.Select(v => v * 2).ToArray();
        double[] mixed = mse.Select((v, i) => i % 2 == 0 ? v / 10 : v * 2).ToArray();
        Assert.Equal(Verdict.Supported, LossOutliersExperiment.Decide(true, mse, small, small).Verdict);
        Assert.Equal(Verdict.NotSupported, LossOutliersExperiment.Decide(false, mse, small, small).Verdict);
        Assert.Equal(Verdict.NotSupported, LossOutliersExperiment.Decide(true, mse, small, large).Verdict);
        Assert.Equal(Verdict.Inconclusive, LossOutliersExperiment.Decide(true, mse, small, mixed).Verdict);
    }
}
