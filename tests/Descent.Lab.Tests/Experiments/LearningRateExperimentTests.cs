using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class LearningRateExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    [Fact]
    public void LargeLearningRateDivergesSmallCrawlsRightConverges()
    {
        var q = new Quadratic(Quadratic.LogSpacedSpectrum(10, 100, 1), seed: 2);
        var large = LearningRateExperiment.Gaps(q, 2.2, 200);
        var small = LearningRateExperiment.Gaps(q, 0.01, 200);
        var right = LearningRateExperiment.Gaps(q, 2 / 1.01, 200);
        Assert.True(large[^1] > 1e6 * large[0]);
        Assert.True(small[^1] > 0.1 * small[0]);
        Assert.True(right[^1] < 1e-2 * right[0]);
        Assert.True(new LearningRateExperiment().Run(Context()).Supported);
    }
}
