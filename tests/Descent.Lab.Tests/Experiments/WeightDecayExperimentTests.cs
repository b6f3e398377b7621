using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class WeightDecayExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    [Fact]
    public void PureDecayMatchesProduct()
    {
        var r = new WeightDecayExperiment().Run(Context());
        Assert.True(r.Supported, r.Summary);
        var norms = WeightDecayExperiment.Norms(Descent.Schedules.ScheduleText.Parse("constant()"), 0.1, 0.5, 10, [3, 4], null);
        Assert.Equal(5 * Math.Pow(1 - 0.05, 10), norms[^1], 12);
    }
}
