using Descent.Lab.Experiments;
using Descent.Lab.Problems;

namespace Descent.Lab.Tests.Experiments;

public class Experiments2To8Tests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    [Fact]
    public void AveragePrecisionFromRanking()
    {
        // Ranking: +, -, +, - → precisions at the positives 1/1 and 2/3 → AP 5/6.
        Assert.Equal(5.0 / 6, FocalLossExperiment.AveragePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]), 12);
        Assert.Equal(1.0, FocalLossExperiment.AveragePrecision([0.9, 0.8, 0.1], [1, 1, 0]), 12);
    }

    [Fact]
    public void FocalRaisesMinorityRecall()
    {
        var r = new FocalLossExperiment().Run(Context());
        Assert.Equal(Verdict.Supported, r.Outcome);
        Assert.True(r.PValue < 0.05, r.Summary);
    }

    [Fact]
    public void FullBatchBestPerUpdateMiniBatchBestPerTime()
    {
        var r = new BatchSizeExperiment().Run(Context());
        var runs = (Dictionary<string, object>[])r.Numbers["runs"];
        var full = (double[])runs[0]["finalExcess"];
        var single = (double[])runs[2]["finalExcess"];
        Assert.True(full.Average() <= single.Average());
        Assert.True(((double[])runs[0]["excessAtEqualCompute"]).Average() > ((double[])runs[1]["finalExcess"]).Average());
        Assert.All(full, e => Assert.True(e >= 0));
    }

    [Fact]
    public void LbfgsBeatsFirstOrderOnRosenbrock()
    {
        var p = new Rosenbrock();
        var lb = OptimizerRaceExperiment.LbfgsPath(p, 40);
        var sgd = OptimizerRaceExperiment.Path2D(p, Descent.Optimizers.Optim.Sgd<double>(1e-3), 300);
        Assert.True(p.Value(lb.X[^1], lb.Y[^1]) < 1e-8);
        Assert.True(p.Value(sgd.X[^1], sgd.Y[^1]) > 1e-3);
    }

    [Fact]
    public void DecayingSchedulesEndBelowConstant()
    {
        var r = new ScheduleRaceExperiment().Run(Context());
        Assert.True(r.Supported, r.Summary);
        Assert.Equal(8, ScheduleRaceExperiment.ScheduleTexts(2000).Length);
    }

    [Fact]
    public void SimulatedVarianceMatchesClosedForm()
    {
        var r = new OrnsteinUhlenbeckExperiment().Run(Context());
        double sim = (double)r.Numbers["finalSimulated"], closed = (double)r.Numbers["finalClosedForm"];
        Assert.InRange(sim / closed, 0.88, 1.12);
        Assert.True(r.Supported, r.Summary);
    }

    [Fact]
    public void PureDecayMatchesProduct()
    {
        var r = new WeightDecayExperiment().Run(Context());
        Assert.True(r.Supported, r.Summary);
        var norms = WeightDecayExperiment.Norms(Descent.Schedules.ScheduleText.Parse("constant()"), 0.1, 0.5, 10, [3, 4], null);
        Assert.Equal(5 * Math.Pow(1 - 0.05, 10), norms[^1], 12);
    }
}
