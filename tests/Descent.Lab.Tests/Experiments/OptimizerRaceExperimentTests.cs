using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class OptimizerRaceExperimentTests
{
    [Fact]
    public void LbfgsBeatsFirstOrderOnRosenbrock()
    {
        var p = new Rosenbrock();
        var lb = OptimizerRaceExperiment.LbfgsPath(p, 40);
        var sgd = OptimizerRaceExperiment.Path2D(p, Descent.Optimizers.Optim.Sgd<double>(1e-3), 300);
        Assert.True(p.Value(lb.X[^1], lb.Y[^1]) < 1e-8);
        Assert.True(p.Value(sgd.X[^1], sgd.Y[^1]) > 1e-3);
    }
}
