using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class FocalLossExperimentTests
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
}
