using Descent.Analysis;
using Descent.Lab.Experiments;
using Descent.Schedules;

namespace Descent.Lab.Tests.Experiments;

public class ScheduleFlatnessExperimentTests
{
    [Fact]
    public void MonotoneFlatnessTelescopesAndRestartsAddFlatness()
    {
        double cosine = ScheduleMeasures.Flatness(new Cosine(400, MinFactor: 0.1), 400);
        Assert.Equal(1 - new Cosine(400, MinFactor: 0.1).At(399), cosine, 1e-12);
        Assert.True(ScheduleMeasures.Flatness(new WarmRestarts(100, MinFactor: 0.1), 400) > 3 * cosine);
    }

    [Fact]
    public void StationaryLevelMatchesALongConstantRun()
    {
        double[] l = [0.5, 2];
        double level = ScheduleFlatnessExperiment.StationaryLevel(l, 0.05, 0.9, 1);
        // plain SGD limit of the formula: eta sigma^2 / (lambda (2 - eta lambda))
        Assert.Equal(0.05 / (0.5 * (2 - 0.025)) + 0.05 / (2 * (2 - 0.1)), ScheduleFlatnessExperiment.StationaryLevel(l, 0.05, 0, 1), 1e-14);
        var max = ScheduleFlatnessExperiment.MaxExcursions(l, new Constant(1), 0.05, 1, 3000, 4, 1);
        Assert.All(max, m => Assert.InRange(m, 1, 30));
        Assert.True(level > 0);
    }
}
