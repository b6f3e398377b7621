using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class BatchSizeExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

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
}
