using Descent.Lab.Experiments;
using Descent.Lab.Statistics;
using static Descent.Lab.Experiments.MnistScheduleGridExperiment;

namespace Descent.Lab.Tests.Experiments;

public class MnistScheduleGridExperimentTests
{
    private static readonly Interval Gain = new(0.2, 1.0, 0.95), Unclear = new(-0.3, 0.8, 0.95), NoGain = new(-0.9, -0.05, 0.95);

    private static Comparison[] Three(Func<string, string, (double P, Interval I)> cell) =>
        new[] { "SGD+Nesterov", "Adam", "AdamW" }.SelectMany(o => new[] { "step", "cosine", "1cycle" }.Select(s =>
        {
            var (p, i) = cell(o, s);
            return new Comparison(o, s, p, i);
        })).ToArray();

    [Fact]
    public void SupportedWhenEveryOptimizerHasASignificantlyBetterAnnealedSchedule()
    {
        var k = Three((o, s) => s == (o == "Adam" ? "1cycle" : "cosine") ? (0.01, Gain) : (0.4, Unclear));
        Assert.Equal(Verdict.Supported, Decide(k));
    }

    [Fact]
    public void StepAloneDoesNotCountForTheClaim()
    {
        var k = Three((o, s) => s == "step" || o != "AdamW" && s == "cosine" ? (0.01, Gain) : (0.4, Unclear));
        Assert.Equal(Verdict.Inconclusive, Decide(k));
    }

    [Fact]
    public void NotSupportedWhenForOneOptimizerNeitherAnnealedScheduleCanBeBetter()
    {
        var k = Three((o, s) => o == "Adam" && s != "step" ? (1.0, NoGain) : (0.01, Gain));
        Assert.Equal(Verdict.NotSupported, Decide(k));
        // one annealed schedule with an interval reaching above 0 keeps it open
        k = Three((o, s) => o == "Adam" ? (s == "1cycle" ? (0.4, Unclear) : (1.0, NoGain)) : (0.01, Gain));
        Assert.Equal(Verdict.Inconclusive, Decide(k));
    }

    [Fact]
    public void HolmOnNineConstructedComparisonsDecidesAsStated()
    {
        // five seeds: annealed schedules gain about one point for every optimizer, step nothing
        double[] constant = [95.0, 95.3, 94.8, 95.1, 95.2];
        var gains = new List<TestResult>();
        for (int o = 0; o < 3; o++)
        {
            gains.Add(PairedTTest.Test(constant.Select((v, i) => v + (i % 2 == 0 ? 0.2 : -0.2)).ToArray(), constant, Alternative.Greater));
            gains.Add(PairedTTest.Test(constant.Select((v, i) => v + 1 + 0.05 * i).ToArray(), constant, Alternative.Greater));
            gains.Add(PairedTTest.Test(constant.Select((v, i) => v + 0.9 - 0.05 * i).ToArray(), constant, Alternative.Greater));
        }
        double[] holm = Holm.Adjust(gains.Select(t => t.PValue).ToArray());
        string[] optimizers = ["SGD+Nesterov", "Adam", "AdamW"], schedules = ["step", "cosine", "1cycle"];
        var k = gains.Select((t, i) => new Comparison(optimizers[i / 3], schedules[i % 3], holm[i], t.Interval!.Value)).ToArray();
        Assert.Equal(Verdict.Supported, Decide(k));
        Assert.All(k.Where(c => c.Schedule == "step"), c => Assert.True(c.AdjustedP > Alpha));
    }

    // One quick run (QuickRun's smoke checks and the result record, so the experiment trains once in this class).
    [Fact]
    public void QuickRunWritesItsFiguresAndReportsTheResultRecordAsInconclusive()
    {
        string dir = TestPaths.TempDirectory();
        var log = new List<string>();
        var experiment = Assert.IsType<MnistScheduleGridExperiment>(ExperimentCatalog.All.Single(e => e.Number == 15));
        var r = experiment.Run(new ExperimentContext(dir, TestPaths.MnistDirectory, Quick: true, Seed: 0, log.Add));
        Assert.NotEmpty(log);
        Assert.NotEmpty(r.Tables);
        Assert.True(File.Exists(Path.Combine(dir, experiment.Id + ".csv")));
        Assert.False(string.IsNullOrWhiteSpace(r.Summary));
        Assert.NotNull(r.Source);
        Assert.False(string.IsNullOrWhiteSpace(r.Design));
        Assert.NotNull(r.PValue);
        Assert.NotNull(r.Interval);
        Assert.Equal(Verdict.Inconclusive, r.ReportedOutcome(quick: true));
        Assert.Equal(12, ((Dictionary<string, object>)r.Numbers["arms"]).Count);
        var comparisons = (Dictionary<string, object>[])r.Numbers["comparisons"];
        Assert.Equal(9, comparisons.Length);
        Assert.All(comparisons, c => Assert.InRange((double)c["p_holm"], (double)c["p_value"], 1));
        Assert.All(r.Figures, f => Assert.True(File.Exists(Path.Combine(dir, f.PngFile)), f.PngFile));
    }
}
