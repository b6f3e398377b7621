using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class ScheduleRaceExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    [Fact]
    public void DecayingSchedulesEndBelowConstant()
    {
        var r = new ScheduleRaceExperiment().Run(Context());
        Assert.True(r.Supported, r.Summary);
        Assert.Equal(8, ScheduleRaceExperiment.ScheduleTexts(2000).Length);
    }
}
