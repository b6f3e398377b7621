using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class CompactStateExperimentTests
{
    [Fact]
    public void QuickRunTrainsEveryPrecisionAndMeasuresTheQuantizationError()
    {
        var e = Assert.Single(ExperimentCatalog.All, e => e.Number == 19);
        string dir = Directory.CreateTempSubdirectory("exp19").FullName;
        var result = e.Run(new ExperimentContext(dir, TestPaths.MnistDirectory, Quick: true, Seed: 0, _ => { }));
        Assert.Equal(Verdict.Inconclusive, result.ReportedOutcome(quick: true));
        Assert.Equal(3, result.Tables[0].Rows.Count);
        // The maps int8 state uses measure no larger an error than Dettmers' dynamic tree on m and on v (the condition under
        // which the issue allows them), never encode a non-zero v as 0, and so give a far smaller error of the Adam direction.
        var errors = (Dictionary<string, object>)result.Numbers["quantization_error"];
        double Mean(string key) => ((double[])errors[key]).Average();
        Assert.True(Mean("m int8 e2m5/e3m5 (used)") <= Mean("m int8 dynamic tree"), $"m: {Mean("m int8 e2m5/e3m5 (used)")} vs {Mean("m int8 dynamic tree")}");
        Assert.True(Mean("v int8 e2m5/e3m5 (used)") <= Mean("v int8 dynamic tree"), $"v: {Mean("v int8 e2m5/e3m5 (used)")} vs {Mean("v int8 dynamic tree")}");
        Assert.Equal(0, Mean("v zeroed int8 e2m5/e3m5 (used)"));
        Assert.True(Mean("direction int8 e2m5/e3m5 (used)") < Mean("direction int8 dynamic tree"));
        Assert.True(Mean("v int8 dynamic tree") < Mean("v int8 linear"));
        Assert.True(File.Exists(Path.Combine(dir, "compact-optimizer-state-loss.png")));
        Assert.True(File.Exists(Path.Combine(dir, "compact-optimizer-state-quantization-error.png")));
    }

    [Fact]
    public void RuleIsNonInferiorityWithinThreeTenthsOfAPoint()
    {
        double[] baseline = [95.5, 95.3, 95.6, 95.4, 95.7];
        double[] same = [95.45, 95.35, 95.55, 95.42, 95.66];
        double[] worse = baseline.Select(v => v - 1.0).ToArray();
        double[] noisy = [96.5, 94.3, 95.6, 96.4, 94.7];
        Assert.Equal(Verdict.Supported, CompactStateExperiment.Decide(same, same, baseline).Verdict);
        Assert.Equal(Verdict.NotSupported, CompactStateExperiment.Decide(worse, same, baseline).Verdict);
        Assert.Equal(Verdict.Inconclusive, CompactStateExperiment.Decide(noisy, same, baseline).Verdict);
    }
}
