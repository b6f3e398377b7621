using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class LrRangeTestExperimentTests
{
    [Fact]
    public void QuickModeRunsAndWritesItsFigure()
    {
        var experiment = ExperimentCatalog.All.Single(e => e.Number == 14);
        Assert.IsType<LrRangeTestExperiment>(experiment);
        QuickRun.RunsAndWritesItsFigure(experiment);
    }
}
