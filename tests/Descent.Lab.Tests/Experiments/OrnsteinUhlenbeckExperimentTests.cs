using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Problems;
using Descent.Losses;

namespace Descent.Lab.Tests.Experiments;

public class OrnsteinUhlenbeckExperimentTests
{
    private static ExperimentContext Context() => new(TestPaths.TempDirectory(), "data/mnist-10k", Quick: true, Seed: 1, _ => { });

    [Fact]
    public void SimulatedVarianceMatchesClosedForm()
    {
        var r = new OrnsteinUhlenbeckExperiment().Run(Context());
        double sim = (double)r.Numbers["finalSimulated"], closed = (double)r.Numbers["finalClosedForm"];
        Assert.InRange(sim / closed, 0.88, 1.12);
        Assert.True(r.Supported, r.Summary);
    }
}
