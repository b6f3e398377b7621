using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class LrRangeTestExperimentTests
{
    [Fact]
    public void QuickModeRunsAndWritesItsFigure() => QuickRun.RunsAndWritesItsFigure<LrRangeTestExperiment>(14);
}
