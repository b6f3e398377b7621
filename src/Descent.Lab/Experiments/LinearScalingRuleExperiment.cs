using System.Globalization;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 20: the linear scaling rule with gradual warmup (Goyal et al., 2017) at growing global batch across data-parallel
/// ranks. k ranks with 32 samples each (the paper's per-worker batch) train the MNIST MLP with SGD and momentum for a fixed
/// number of epochs at global batch 32·k, k = 1, 2, 4, 8, 16, with the learning rate multiplied by k (with and without a
/// warmup from the unscaled rate) and, as a control, not scaled. Each seed fixes the initialisation and the data order of every
/// cell (paired). The k ranks are simulated by one process at the same global batch (see <see cref="Run"/>'s design text).
/// </summary>
public sealed class LinearScalingRuleExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 20;

    /// <inheritdoc />
    public string Id => "linear-scaling-rule";

    /// <inheritdoc />
    public string Title => "Linear scaling rule and warmup at growing global batch across ranks (MNIST MLP)";

    /// <summary>Samples per rank (Goyal et al.'s per-worker batch n = 32).</summary>
    public const int BatchPerRank = 32;

    /// <summary>The learning rate at one rank: Goyal et al.'s 0.1 · n / 256 with n = 32.</summary>
    public const double BaseRate = 0.1 * BatchPerRank / 256;

    /// <summary>The non-inferiority margin in accuracy points.</summary>
    public const double Margin = 1.0;

    /// <summary>The rank counts k (global batch 32·k).</summary>
    public static IReadOnlyList<int> RankCounts { get; } = [1, 2, 4, 8, 16];

    /// <summary>How the learning rate follows the global batch.</summary>
    public enum Arm
    {
        /// <summary>Rate × k from the first step (the rule without warmup).</summary>
        Linear,
        /// <summary>Rate × k reached by a linear ramp from the unscaled rate over the first epoch (the paper's gradual warmup).</summary>
        LinearWarmup,
        /// <summary>The one-rank rate at every k (control).</summary>
        Unscaled,
    }

    /// <summary>
    /// The schedule text of an arm at k ranks for a run of <paramref name="totalSteps"/> steps with <paramref name="stepsPerEpoch"/>
    /// steps per epoch: a factor on the optimizer's base rate, cosine-decayed over the run, multiplied by k (linear arms), with a
    /// linear ramp from 1/k over the first epoch (warmup arm). The form is the one <c>descent train --scale-lr linear</c> writes.
    /// </summary>
    public static string Schedule(Arm arm, int k, long totalSteps, long stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        string cosine = $"cosine(total={totalSteps})";
        return arm switch
        {
            Arm.Unscaled => cosine,
            Arm.Linear => $"scale({cosine}, factor={k})",
            Arm.LinearWarmup => k == 1 ? $"scale({cosine}, factor=1)" : $"scale(mul(warmup(steps={stepsPerEpoch}, start={F(1.0 / k)}), {cosine}), factor={k})",
            _ => throw new ArgumentOutOfRangeException(nameof(arm), arm, "Unknown arm."),
        };
    }

    /// <summary>One training: test accuracy (%), test loss and whether it diverged.</summary>
    public sealed record Outcome(double Accuracy, double Loss, bool Diverged);

    /// <summary>Trains one cell for one seed: global batch 32·k, the arm's schedule, SGD (momentum 0.9) at <see cref="BaseRate"/>.</summary>
    public static Outcome Train(TrainingProblem problem, Arm arm, int k, int epochs, int seed)
    {
        ArgumentNullException.ThrowIfNull(problem);
        int batch = BatchPerRank * k;
        long perEpoch = (problem.Train.Count + batch - 1) / batch;
        var result = new Trainer(problem, new TrainingOptions
        {
            Optimizer = $"sgd(lr={BaseRate.ToString("R", CultureInfo.InvariantCulture)}, momentum=0.9)",
            Schedule = Schedule(arm, k, perEpoch * epochs, perEpoch),
            Epochs = epochs,
            BatchSize = batch,
            Seed = (ulong)seed,
        }).Run();
        bool diverged = result.Status != TrainingStatus.Completed;
        return new Outcome(diverged ? 0 : 100 * result.TestAccuracy, diverged ? double.NaN : result.TestLoss, diverged);
    }

    // Tick labels at the global batches (the x axis is log10).
    private static void BatchTicks(ScottPlot.Plot plot, double[] batches)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double b in batches) ticks.AddMajor(Math.Log10(b), b.ToString("G4", CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
    }

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        bool quick = context.Quick;
        int hidden = quick ? 16 : 64, epochs = quick ? 1 : 8, seedCount = quick ? 2 : 5;
        int? limit = quick ? 1024 : null;
        const double alpha = 0.05;
        var c = CultureInfo.InvariantCulture;
        var problem = TrainingProblem.Create("mnist-mlp", hidden, context.DataDirectory, limit);
        var seeds = Enumerable.Range(context.Seed, seedCount).ToArray();
        var arms = new[] { Arm.LinearWarmup, Arm.Linear, Arm.Unscaled };
        context.Log($"{Id}: 784-{hidden}-10 on {problem.Train.Count} images, {epochs} epochs, k in {{{string.Join(", ", RankCounts)}}}, 3 arms, {seedCount} seeds");

        // k = 1 is the same run in every arm (factor 1, no ramp): trained once per seed and shared.
        var one = seeds.Select(s => Train(problem, Arm.Linear, 1, epochs, s)).ToArray();
        var cells = new Dictionary<(Arm, int), Outcome[]>();
        foreach (var arm in arms)
        {
            cells[(arm, 1)] = one;
            foreach (int k in RankCounts.Skip(1))
            {
                cells[(arm, k)] = seeds.Select(s => Train(problem, arm, k, epochs, s)).ToArray();
                context.Log($"{Id}: {arm} k={k}: mean accuracy {cells[(arm, k)].Average(o => o.Accuracy).ToString("F2", c)} %");
            }
        }
        double[] Acc(Arm arm, int k) => cells[(arm, k)].Select(o => o.Accuracy).ToArray();
        double[] baseline = Acc(Arm.Linear, 1);

        // Primary: the paper's recipe (linear + warmup) at each k > 1 is non-inferior to k = 1 (paired t, one-sided, Holm over 4).
        var larger = RankCounts.Skip(1).ToArray();
        TestResult[] NonInferiority(Arm arm) => larger.Select(k => PairedTTest.Test(Acc(arm, k), baseline, Alternative.Greater, -Margin)).ToArray();
        var primary = NonInferiority(Arm.LinearWarmup);
        var primaryHolm = Holm.Adjust(primary.Select(t => t.PValue).ToArray());
        var noWarmup = NonInferiority(Arm.Linear);
        var noWarmupHolm = Holm.Adjust(noWarmup.Select(t => t.PValue).ToArray());
        var unscaled = NonInferiority(Arm.Unscaled);
        var unscaledHolm = Holm.Adjust(unscaled.Select(t => t.PValue).ToArray());
        bool allNonInferior = primaryHolm.All(p => p < alpha);
        int firstInferior = Array.FindIndex(primary, t => t.Interval!.Value.High < -Margin);
        Verdict verdict = allNonInferior ? Verdict.Supported : firstInferior >= 0 ? Verdict.NotSupported : Verdict.Inconclusive;
        int largest = RankCounts[^1];
        // Secondary: warmup vs no warmup at the largest k (paired t, two-sided).
        var warmupTest = PairedTTest.Test(Acc(Arm.LinearWarmup, largest), Acc(Arm.Linear, largest));
        int deciding = allNonInferior ? Array.IndexOf(primaryHolm, primaryHolm.Max()) : firstInferior >= 0 ? firstInferior : Array.IndexOf(primaryHolm, primaryHolm.Max());

        // Plots: accuracy and loss against the global batch, per arm (mean over seeds; diverged runs count as 0 % and are left out of the loss).
        var batches = RankCounts.Select(k => (double)(BatchPerRank * k)).ToArray();
        string Label(Arm arm) => arm switch { Arm.LinearWarmup => "lr x k, warmup 1 epoch", Arm.Linear => "lr x k, no warmup", _ => "lr unscaled (control)" };
        double MeanLoss(Arm arm, int k) => cells[(arm, k)].Where(o => !o.Diverged).Select(o => o.Loss).DefaultIfEmpty(double.NaN).Average();
        var accuracySeries = arms.Select(a => new Series(Label(a), batches, RankCounts.Select(k => Acc(a, k).Average()).ToArray())).ToArray();
        var lossSeries = arms.Select(a => new Series(Label(a), batches, RankCounts.Select(k => MeanLoss(a, k)).ToArray())).ToArray();
        var accuracyPlot = Plots.Line($"Test accuracy after {epochs} epochs vs global batch (32 per rank x k ranks), mean of {seedCount} seeds", "global batch (log)", "test accuracy (%)", accuracySeries, logX: true);
        Plots.Band(accuracyPlot, batches.Select(Math.Log10).ToArray(), RankCounts.Select(k => PairedTTest.MeanInterval(Acc(Arm.LinearWarmup, k)).Low).ToArray(),
            RankCounts.Select(k => PairedTTest.MeanInterval(Acc(Arm.LinearWarmup, k)).High).ToArray(), Plots.Palette(0), "95 % t interval (warmup arm)");
        BatchTicks(accuracyPlot, batches);
        Plots.Save(accuracyPlot, Path.Combine(context.OutputDirectory, Id + "-accuracy"), 1000, 550);
        var lossPlot = Plots.Line($"Test loss after {epochs} epochs vs global batch, mean of {seedCount} seeds", "global batch (log)", "test cross-entropy", lossSeries, logX: true);
        BatchTicks(lossPlot, batches);
        Plots.Save(lossPlot, Path.Combine(context.OutputDirectory, Id + "-loss"), 1000, 550);
        ResultsFiles.WriteCsv(Path.Combine(context.OutputDirectory, Id + ".csv"),
            ["global_batch", .. arms.SelectMany(a => new[] { $"{a}_accuracy", $"{a}_loss" })],
            [batches, .. arms.SelectMany(a => new[] { accuracySeries[Array.IndexOf(arms, a)].Y, lossSeries[Array.IndexOf(arms, a)].Y })]);

        string Cell(Arm arm, int k) => Acc(arm, k).Average().ToString("F2", c);
        var result = new ExperimentResult
        {
            Claim = $"With the learning rate multiplied by k and a gradual warmup, training at global batch 32k on k ranks for the same number of epochs reaches a test accuracy at most {Margin} point below one rank, for k up to {largest}.",
            Summary = string.Create(c, $"accuracy after {epochs} epochs, batch 32 -> 512: lr x k + warmup {string.Join(" / ", RankCounts.Select(k => Cell(Arm.LinearWarmup, k)))} %; no warmup {string.Join(" / ", RankCounts.Select(k => Cell(Arm.Linear, k)))} %; unscaled {string.Join(" / ", RankCounts.Select(k => Cell(Arm.Unscaled, k)))} %; ") +
                      string.Create(c, $"non-inferior (margin {Margin}, Holm) at k = {string.Join(", ", larger.Where((k, i) => primaryHolm[i] < alpha).DefaultIfEmpty(0))}; warmup - no warmup at k = {largest}: {warmupTest.Estimate:F2} points, 95 % CI {warmupTest.Interval!.Value.ToString("F2")}, p = {warmupTest.PValue:G3}"),
            Outcome = verdict,
            Source = new ClaimSource("Goyal, Dollár, Girshick, Noordhuis, Wesolowski, Kyrola, Tulloch, Jia and He, \"Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour\", arXiv:1706.02677, 2017, section 2",
                "Linear Scaling Rule: When the minibatch size is multiplied by k, multiply the learning rate by k. ... gradual warmup ... starting from a learning rate of η and incrementing it by a constant amount at each iteration such that it reaches η̂ = kη after 5 epochs."),
            Design = $"MNIST-10k ({problem.Train.Count} training, {problem.Test.Count} test images), 784-{hidden}-10 MLP, SGD momentum 0.9 (library sgd), {epochs} epochs in every cell, cosine decay of the rate over the run. " +
                     $"k ranks x {BatchPerRank} samples per rank (the paper's per-worker batch), k in {{1, 2, 4, 8, 16}} (global batch 32 to 512); base rate {BaseRate.ToString("R", c)} = 0.1 x 32 / 256 (the paper's reference rule). " +
                     "Arms: rate x k with a linear warmup from the unscaled rate over the first epoch (the paper's recipe), rate x k from the first step, and the unscaled rate (control). " +
                     $"{seedCount} seeds (initialisation and data order), the same in every cell (paired); a diverged run counts as 0 % accuracy. Metric: test accuracy after the last epoch. " +
                     "The k ranks are simulated by one process at the same global batch: with --reduction deterministic a run on N MPI ranks is bit-identical to one process at the same global batch " +
                     "(tests/Descent.Distributed.Tests/DataParallelTrainingTests.cs, DeterministicReductionOn2And3RanksIsBitIdenticalToOneProcessWithAndWithoutZero); the lab's plain loop computes the same mean gradient over the global batch, differing from it only in the float summation order. " +
                     $"Rule (alpha {alpha}): for each k > 1 a paired t-test of d = acc(k, warmup arm) - acc(1) against H0: mean d <= -{Margin} points, Holm over the 4 values of k; supported if all 4 reject; " +
                     $"not supported if for some k the 95 % interval of mean d lies entirely below -{Margin}; otherwise inconclusive. Secondary (reported, not part of the verdict): warmup vs no warmup at k = {largest}, paired t two-sided; the same non-inferiority tests for the no-warmup and unscaled arms.",
            Test = $"paired t, one-sided non-inferiority (margin {Margin} points), Holm over 4 rank counts, {seedCount} seeds",
            Statistic = primary[deciding].Statistic,
            PValue = primaryHolm[deciding],
            Interval = primary[deciding].Interval,
        };
        result.Departures.Add("MNIST MLP for a few epochs instead of ResNet-50 on ImageNet for 90 epochs; the rule is tested up to k = 16 (global batch 512), where the paper's rule held on ImageNet up to 8k images (k = 32 from 256).");
        result.Departures.Add("Cosine decay over the run instead of the paper's step decay at epochs 30, 60 and 80 (a short run needs the decay to be spread); warmup over 1 of 8 epochs (the paper: 5 of 90).");
        result.Departures.Add("Ranks are simulated at the same global batch in one process (the lab has no MPI dependency); see the design for why this is the same training.");
        if (quick) result.Departures.Add("Quick set: 1,024 images, hidden 16, 1 epoch, 2 seeds: reported inconclusive.");
        result.Tables.Add(new ExperimentTable($"Test accuracy (%) and loss after {epochs} epochs, mean over {seedCount} seeds; paired difference to k = 1 with 95 % t interval and Holm-adjusted non-inferiority p (margin {Margin})",
            ["arm", "k", "global batch", "lr (peak)", "accuracy", "loss", "diverged", "difference to k = 1", "p (Holm)"],
            arms.SelectMany(a => RankCounts.Select(k =>
            {
                int i = k == 1 ? -1 : Array.IndexOf(larger, k);
                var tests = a switch { Arm.LinearWarmup => primary, Arm.Linear => noWarmup, _ => unscaled };
                var holm = a switch { Arm.LinearWarmup => primaryHolm, Arm.Linear => noWarmupHolm, _ => unscaledHolm };
                double peak = a == Arm.Unscaled ? BaseRate : BaseRate * k;
                return (IReadOnlyList<string>)[Label(a), k.ToString(c), (BatchPerRank * k).ToString(c), peak.ToString("G4", c), Cell(a, k), MeanLoss(a, k).ToString("F4", c),
                    cells[(a, k)].Count(o => o.Diverged).ToString(c),
                    i < 0 ? "" : string.Create(c, $"{tests[i].Estimate:F2} {tests[i].Interval!.Value.ToString("F2")}"), i < 0 ? "" : holm[i].ToString("G3", c)];
            })).ToArray()));
        result.Paragraphs.Add(string.Create(c, $"Warmup vs no warmup at k = {largest} (global batch {BatchPerRank * largest}): mean difference {warmupTest.Estimate:F2} accuracy points, 95 % CI {warmupTest.Interval!.Value.ToString("F2")}, paired t = {warmupTest.Statistic:F2}, two-sided p = {warmupTest.PValue:G3}."));
        result.Figures.Add(new ExperimentFigure(Id + "-accuracy.png", "Test accuracy against the global batch (32 per rank x k ranks) for the three arms; shaded: 95 % t interval of the warmup arm."));
        result.Figures.Add(new ExperimentFigure(Id + "-loss.png", "Test loss against the global batch for the three arms (diverged runs left out)."));
        result.Numbers["epochs"] = epochs;
        result.Numbers["seeds"] = seeds;
        result.Numbers["global_batches"] = batches;
        foreach (var a in arms)
        {
            result.Numbers[$"{a}_accuracy"] = RankCounts.Select(k => Acc(a, k)).ToArray();
            result.Numbers[$"{a}_loss"] = RankCounts.Select(k => cells[(a, k)].Select(o => o.Loss).ToArray()).ToArray();
        }
        result.Numbers["p_holm_warmup"] = primaryHolm;
        result.Numbers["p_holm_no_warmup"] = noWarmupHolm;
        result.Numbers["p_holm_unscaled"] = unscaledHolm;
        result.Numbers["warmup_minus_no_warmup_at_largest"] = warmupTest.Estimate;
        result.Numbers["warmup_p"] = warmupTest.PValue;
        return result;
    }
}
