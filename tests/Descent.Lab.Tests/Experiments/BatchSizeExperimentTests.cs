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
        Assert.True((double)runs[0]["finalLoss"] <= (double)runs[2]["finalLoss"]);
        Assert.True((double)runs[1]["lossAtMiniBatchTime"] < (double)runs[0]["lossAtMiniBatchTime"]);
    }
}
