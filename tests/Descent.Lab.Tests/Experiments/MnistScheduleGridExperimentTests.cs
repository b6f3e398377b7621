using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class MnistScheduleGridExperimentTests
{
    [Fact]
    public void QuickModeRunsAndWritesItsFigure()
    {
        var experiment = ExperimentCatalog.All.Single(e => e.Number == 15);
        Assert.IsType<MnistScheduleGridExperiment>(experiment);
        QuickRun.RunsAndWritesItsFigure(experiment);
    }
}
