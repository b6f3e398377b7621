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
        Assert.NotEqual(Verdict.NotSupported, r.Outcome);
        Assert.NotNull(r.Interval);
        Assert.Equal(Verdict.Inconclusive, r.ReportedOutcome(quick: true));
    }

    [Fact]
    public void RuleIsEquivalenceWithinFivePercent()
    {
        // 20,000 runs: the 95 % interval of the ratio is +-1.96 sqrt(2/19999) = +-2 %.
        Assert.Equal(Verdict.Supported, OrnsteinUhlenbeckExperiment.Decide(1.01, 1.0, 1.0, 20000).Verdict);
        Assert.Equal(Verdict.Inconclusive, OrnsteinUhlenbeckExperiment.Decide(1.04, 1.0, 1.0, 20000).Verdict);
        Assert.Equal(Verdict.NotSupported, OrnsteinUhlenbeckExperiment.Decide(1.10, 1.0, 1.0, 20000).Verdict);
        // 2,000 runs: +-6 %, too wide to show equivalence within 5 %.
        Assert.Equal(Verdict.Inconclusive, OrnsteinUhlenbeckExperiment.Decide(1.0, 1.0, 1.0, 2000).Verdict);
        // The chi-squared test against the exact recursion: a variance 10 % off with 20,000 runs is far in the tail.
        Assert.True(OrnsteinUhlenbeckExperiment.Decide(1.10, 1.0, 1.0, 20000).PExact < 1e-6);
        Assert.True(OrnsteinUhlenbeckExperiment.Decide(1.0, 1.0, 1.0, 20000).PExact > 0.9);
    }
}
