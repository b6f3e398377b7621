using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class MnistScheduleGridExperimentTests
{
    [Fact]
    public void QuickModeRunsAndWritesItsFigure() => QuickRun.RunsAndWritesItsFigure<MnistScheduleGridExperiment>(15);
}
