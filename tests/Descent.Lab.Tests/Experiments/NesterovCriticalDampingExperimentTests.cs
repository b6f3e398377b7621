using Descent.Analysis;
using Descent.Lab.Experiments;
using Descent.Schedules;

namespace Descent.Lab.Tests.Experiments;

public class NesterovCriticalDampingExperimentTests
{
    [Fact]
    public void CriticalRateDoesNotOvershootTheTunedModeFourTimesItDoes()
    {
        double[] l = [0.01, 1];
        double rate = MomentumStability.NesterovCriticalDampingRate(0.9, 0.01);
        var critical = NesterovCriticalDampingExperiment.Run(l, new Constant(rate), new Constant(0.9), 600, 0);
        var fast = NesterovCriticalDampingExperiment.Run(l, new Constant(4 * rate), new Constant(0.9), 600, 0);
        Assert.True(critical.OvershootActual < 1e-9, $"{critical.OvershootActual}");
        Assert.True(fast.OvershootActual > 1e-3, $"{fast.OvershootActual}");
        // f - f* from the displacement is exactly sum lambda x^2 / 2 at the start
        Assert.Equal(0.505, critical.Gap[0], 15);
    }
}
