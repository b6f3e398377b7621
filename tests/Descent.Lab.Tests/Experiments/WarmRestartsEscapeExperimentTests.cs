using Descent.Lab.Experiments;
using Descent.Schedules;

namespace Descent.Lab.Tests.Experiments;

public class WarmRestartsEscapeExperimentTests
{
    [Fact]
    public void PotentialSharpMinimumIsShallowLocalWideIsGlobal()
    {
        foreach (double x in new[] { -1.7, -1.05, -0.6, 0.3, 1.4, 2.2 })
        {
            double h = 1e-6;
            double fd = (WarmRestartsEscapeExperiment.Value(x + h) - WarmRestartsEscapeExperiment.Value(x - h)) / (2 * h);
            Assert.Equal(fd, WarmRestartsEscapeExperiment.Derivative(x), 1e-5);
        }
        var (sharp, wide) = WarmRestartsEscapeExperiment.Minima();
        double saddle = WarmRestartsEscapeExperiment.Saddle();
        Assert.InRange(saddle, sharp, wide);
        Assert.True(WarmRestartsEscapeExperiment.Value(wide) < WarmRestartsEscapeExperiment.Value(sharp), "the wide minimum is the global one");
        Assert.True(WarmRestartsEscapeExperiment.Curvature(sharp) > 10 * WarmRestartsEscapeExperiment.Curvature(wide), "the sharp minimum is sharp");
    }

    [Fact]
    public void RunsArePairedSameScheduleAndSeedGiveSameOutcomes()
    {
        var a = WarmRestartsEscapeExperiment.Run(new WarmRestarts(50), 0.08, 0.9, 1, 200, 50, 20, 3);
        var b = WarmRestartsEscapeExperiment.Run(new WarmRestarts(50), 0.08, 0.9, 1, 200, 50, 20, 3);
        Assert.Equal(a.Wide, b.Wide);
        Assert.Equal(3, a.EnergyBefore.Length);
        Assert.All(a.EnergyAfter, e => Assert.True(double.IsFinite(e)));
    }
}
