using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class BatchSizeExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    // one quick run shared by the tests of this class
    private static readonly Lazy<ExperimentResult> Quick = new(() => new BatchSizeExperiment().Run(Context()));

    [Fact]
    public void FullBatchBestPerUpdateMiniBatchBestPerTime()
    {
        var r = Quick.Value;
        var runs = (Dictionary<string, object>[])r.Numbers["runs"];
        var full = (double[])runs[0]["finalExcess"];
        var single = (double[])runs[2]["finalExcess"];
        Assert.True(full.Average() <= single.Average());
        Assert.True(((double[])runs[0]["excessAtEqualCompute"]).Average() > ((double[])runs[1]["finalExcess"]).Average());
        Assert.All(full, e => Assert.True(e >= 0));
    }

    [Fact]
    public void RpropRunsOnFullAndMiniBatchesAndIsReported()
    {
        var r = Quick.Value;
        var rprop = (Dictionary<string, object>)r.Numbers["rprop"];
        Assert.Equal(BatchSizeExperiment.RpropText, rprop["optimizer"]);
        double full = (double)rprop["fullBatchFinalExcess"];
        var mini = (double[])rprop["miniBatchFinalExcess"];
        Assert.Equal((int)r.Numbers["seeds"], mini.Length);
        Assert.True(full >= 0 && double.IsFinite(full));
        Assert.Contains(r.Tables, t => t.Caption.Contains("Rprop", StringComparison.Ordinal));
        Assert.Contains("Rprop", r.Design, StringComparison.Ordinal);
    }

    [Fact]
    public void RpropRuleOnConstructedNumbers()
    {
        Assert.Equal(Descent.Lab.Experiments.Verdict.Supported, BatchSizeExperiment.RpropVerdict(0.01, new Descent.Lab.Statistics.Interval(2, 40, 0.95)));
        Assert.Equal(Descent.Lab.Experiments.Verdict.NotSupported, BatchSizeExperiment.RpropVerdict(0.9, new Descent.Lab.Statistics.Interval(0.2, 0.9, 0.95)));
        Assert.Equal(Descent.Lab.Experiments.Verdict.Inconclusive, BatchSizeExperiment.RpropVerdict(0.2, new Descent.Lab.Statistics.Interval(0.8, 3, 0.95)));
    }
}
