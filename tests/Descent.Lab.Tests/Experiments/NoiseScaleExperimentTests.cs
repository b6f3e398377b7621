using Descent.Lab.Experiments;
using Xunit.Abstractions;

namespace Descent.Lab.Tests.Experiments;

public class NoiseScaleExperimentTests(ITestOutputHelper output)
{
    [Fact]
    public void QuickRunWritesItsPlotAndScaledRunTracksTheSmallBatchRun()
    {
        string dir = TestPaths.TempDirectory();
        var result = new NoiseScaleExperiment().Run(new ExperimentContext(dir, "", true, 1, _ => { }));
        output.WriteLine(result.Summary);
        Assert.True(File.Exists(Path.Combine(dir, "noise-scale.png")));
        Assert.True(File.Exists(Path.Combine(dir, "noise-scale-batch.png")));
        Assert.Contains("scaled_mean_ratio", result.Numbers.Keys);
        Assert.Contains("unscaled_mean_ratio", result.Numbers.Keys);
        Assert.Contains("growing_batch_final", result.Numbers.Keys);
        // (kB, lr) learns more slowly per sample than (kB, k lr).
        Assert.True((double)result.Numbers["unscaled_mean_ratio"] > (double)result.Numbers["scaled_mean_ratio"]);
        Assert.NotNull(result.PValue);
        Assert.NotNull(result.Interval);
        Assert.Equal(Verdict.Inconclusive, result.ReportedOutcome(quick: true));
    }

    [Fact]
    public void RuleNeedsEquivalenceOfTheScaledRunAndASlowdownOfTheUnscaledOne()
    {
        double[] baseline = [1.00, 1.10, 0.90, 1.05, 0.95, 1.02, 0.98, 1.01];
        double[] same = baseline.Select((v, i) => v * (1 + 0.02 * ((i % 3) - 1))).ToArray();
        double[] slow = baseline.Select(v => 3 * v).ToArray();
        double[] twice = baseline.Select(v => 2.5 * v).ToArray();
        Assert.Equal(Verdict.Supported, NoiseScaleExperiment.Decide(baseline, same, baseline, same, slow).Verdict);
        // The scaled run is 2.5x worse on every seed: outside the 1.5 band, the rule says "not supported".
        Assert.Equal(Verdict.NotSupported, NoiseScaleExperiment.Decide(baseline, twice, baseline, same, slow).Verdict);
        // The unscaled run is no slower: "not supported".
        Assert.Equal(Verdict.NotSupported, NoiseScaleExperiment.Decide(baseline, same, baseline, same, same).Verdict);
        // Two seeds of wildly different ratios: nothing can be decided.
        Assert.Equal(Verdict.Inconclusive, NoiseScaleExperiment.Decide([1.0, 1.0], [0.5, 2.0], [1.0, 1.0], [0.5, 2.0], [3.0, 3.0]).Verdict);
    }
}
