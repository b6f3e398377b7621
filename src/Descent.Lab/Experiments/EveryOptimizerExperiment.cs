using System.Globalization;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 18: the MNIST MLP trained with every minibatch optimizer of <see cref="OptimizerCatalog"/>, each at a learning rate
/// chosen on a validation split over its family's fixed grid, then over paired evaluation seeds. The primary comparison is the
/// source's claim: schedule-free AdamW without a schedule is non-inferior to AdamW + cosine (margin 0.5 accuracy points, paired t);
/// every other optimizer is compared with AdamW + cosine the same way, Holm-corrected across optimizers.
/// Full-batch methods (<see cref="OptimizerDefinition.MinibatchMethod"/> false: Rprop) are left out; experiment 3 shows them.
/// </summary>
public sealed class EveryOptimizerExperiment : IExperiment
{
    private static readonly string[] QuickSet = ["nesterov", "adamw", "lion", "muon", "schedule_free_adamw"];

    /// <summary>The reference arm: AdamW under cosine decay.</summary>
    public const string Reference = "adamw";

    /// <summary>The optimizer of the primary comparison (the source's claim).</summary>
    public const string Primary = "schedule_free_adamw";

    /// <summary>The non-inferiority margin in accuracy points.</summary>
    public const double Margin = 0.5;

    /// <summary>The significance level of every test.</summary>
    public const double Alpha = 0.05;

    /// <summary>The fixed learning-rate grids, one per optimizer family (half-decade log grids around each family's usual range).</summary>
    public static IReadOnlyDictionary<string, double[]> FamilyGrids { get; } = new Dictionary<string, double[]>
    {
        ["sgd"] = [0.01, 0.03, 0.1, 0.3, 1],
        ["adam"] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
        ["sign"] = [3e-5, 1e-4, 3e-4, 1e-3],
        ["accumulator"] = [0.01, 0.03, 0.1, 0.3],
        ["layer-wise"] = [1e-3, 3e-3, 1e-2, 3e-2],
        ["trust-ratio sgd"] = [0.3, 1, 3, 10],
        ["learning-rate-free"] = [0.3, 1, 3],
        ["orthogonalized"] = [3e-3, 1e-2, 3e-2, 0.1],
    };

    private static readonly Dictionary<string, string> Families = new()
    {
        ["sgd"] = "sgd", ["momentum"] = "sgd", ["nesterov"] = "sgd", ["sgd_agc"] = "sgd", ["asgd"] = "sgd", ["schedule_free_sgd"] = "sgd",
        ["adam"] = "adam", ["amsgrad"] = "adam", ["adamw"] = "adam", ["nadam"] = "adam", ["radam"] = "adam", ["adamax"] = "adam",
        ["ademamix"] = "adam", ["adopt"] = "adam", ["cautious_adamw"] = "adam", ["schedule_free_adamw"] = "adam", ["rmsprop"] = "adam",
        ["sparse_adam"] = "adam", ["yogi"] = "adam", ["adafactor"] = "adam",
        ["lion"] = "sign", ["cautious_lion"] = "sign",
        ["adagrad"] = "accumulator", ["ftrl"] = "accumulator",
        ["lamb"] = "layer-wise", ["novograd"] = "layer-wise",
        ["lars"] = "trust-ratio sgd",
        ["prodigy"] = "learning-rate-free", ["dog"] = "learning-rate-free", ["adadelta"] = "learning-rate-free",
        ["muon"] = "orthogonalized",
    };

    /// <summary>
    /// The family and grid of an optimizer. An optimizer added to the catalog after this table was written gets the family
    /// "unlisted": its training example's rate times 10^-1, 10^-0.5, 1, 10^0.5.
    /// </summary>
    public static (string Family, double[] Grid) FamilyOf(OptimizerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Families.TryGetValue(definition.Name, out var family)) return (family, FamilyGrids[family]);
        double lr = OptimizerCatalog.Parse(definition.TrainingExample).Number("lr");
        return ("unlisted", [lr / 10, lr / Math.Sqrt(10), lr, lr * Math.Sqrt(10)]);
    }

    /// <summary>Whether an optimizer runs without a schedule (schedule-free methods, evaluated at their averaged iterate).</summary>
    public static bool IsScheduleFree(string name) => name.StartsWith("schedule_free", StringComparison.Ordinal);

    /// <summary>
    /// The pre-stated rule for one non-inferiority comparison: non-inferior (supported) when the one-sided p-value (Holm-adjusted
    /// where several are tested) is at most <see cref="Alpha"/>; inferior by more than the margin (not supported) when the whole
    /// 95 % interval of the mean difference lies below -<see cref="Margin"/>; otherwise inconclusive.
    /// </summary>
    public static Verdict Decide(double pValue, Interval interval) =>
        pValue <= Alpha ? Verdict.Supported : interval.High < -Margin ? Verdict.NotSupported : Verdict.Inconclusive;

    /// <inheritdoc/>
    public int Number => 18;

    /// <inheritdoc/>
    public string Id => "mnist-every-optimizer";

    /// <inheritdoc/>
    public string Title => "MNIST: every optimizer of the catalog";

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        bool quick = context.Quick;
        int epochs = quick ? 3 : 5, hidden = quick ? 32 : 64, trainCount = quick ? 2000 : 6000, validationCount = quick ? 500 : 2000;
        const int batch = 128;
        int[] tuningSeeds = [context.Seed + 1000];
        int[] seeds = Enumerable.Range(context.Seed + 1, quick ? 2 : 5).ToArray();
        var split = MnistTuning.Carve(context.DataDirectory, hidden, trainCount, validationCount);
        int totalSteps = epochs * ((split.Fit.Train.Count + batch - 1) / batch);
        var definitions = OptimizerCatalog.All.Where(d => d.MinibatchMethod && (!quick || QuickSet.Contains(d.Name))).ToArray();
        var left = OptimizerCatalog.All.Where(d => !d.MinibatchMethod).Select(d => d.Name).ToArray();
        context.Log($"[{Id}] {definitions.Length} optimizers; {hidden} hidden units, {trainCount} training / {validationCount} validation images, {epochs} epochs; seeds {string.Join(",", seeds)}");

        var arms = definitions.Select(d =>
        {
            var (family, grid) = FamilyOf(d);
            if (quick) grid = grid.Skip(Math.Max(0, grid.Length / 2 - 1)).Take(2).ToArray();
            string? Schedule(double _) => IsScheduleFree(d.Name) ? null : $"cosine({totalSteps})";
            return new MnistTuning.Arm(d.Name, d.TrainingExample, Schedule, grid, family);
        }).ToArray();
        var results = arms.Select(a => MnistTuning.Run(split, a, epochs, batch, tuningSeeds, seeds, m => context.Log($"[{Id}] {m}"))).ToArray();
        var reference = results.Single(r => r.Arm.Name == Reference);
        var others = results.Where(r => r.Arm.Name != Reference).ToArray();
        var tests = others.Select(r => PairedTTest.Test(r.Test, reference.Test, Alternative.Greater, -Margin)).ToArray();
        double[] holm = Holm.Adjust(tests.Select(t => t.PValue).ToArray());
        int primary = Array.FindIndex(others, r => r.Arm.Name == Primary);
        var c = CultureInfo.InvariantCulture;
        string F(double v, string f) => v.ToString(f, c);

        Verdict verdict = primary < 0 ? Verdict.Inconclusive : Decide(tests[primary].PValue, tests[primary].Interval!.Value);
        var rowVerdicts = others.Select((r, i) => Decide(holm[i], tests[i].Interval!.Value)).ToArray();
        string RowText(Verdict v) => v switch
        {
            Verdict.Supported => "non-inferior",
            Verdict.NotSupported => "inferior by more than the margin",
            _ => "undecided",
        };
        var rows = new List<IReadOnlyList<string>>();
        var numbers = new Dictionary<string, object>();
        foreach (var r in results)
        {
            int i = Array.IndexOf(others, r);
            var mean = PairedTTest.MeanInterval(r.Test);
            rows.Add([r.Arm.Name, r.Arm.Family, F(r.Rate, "G3") + (r.AtGridEdge ? " (grid edge)" : r.Extended ? " (extended grid)" : ""), r.ScheduleText.StartsWith("cosine", StringComparison.Ordinal) ? "cosine" : r.ScheduleText,
                F(r.Validation.Average(), "F2"), $"{F(r.Test.Average(), "F2")} {mean.ToString("F2")}",
                i < 0 ? "reference" : $"{F(tests[i].Estimate, "+0.00;-0.00")} {tests[i].Interval!.Value.ToString("F2")}",
                i < 0 ? "" : F(holm[i], "G3"), i < 0 ? "" : RowText(rowVerdicts[i]), F(r.SecondsPerEpoch, "F2")]);
            var entry = new Dictionary<string, object>
            {
                ["family"] = r.Arm.Family, ["grid"] = r.Arm.Grid.ToArray(), ["rates_tried"] = r.Rates, ["grid_validation_accuracy"] = r.GridValidation, ["rate"] = r.Rate,
                ["at_grid_edge"] = r.AtGridEdge, ["optimizer"] = r.OptimizerText, ["schedule"] = r.ScheduleText, ["test_accuracy"] = r.Test,
                ["validation_accuracy"] = r.Validation, ["validation_accuracy_per_epoch"] = r.Curve, ["diverged"] = r.Diverged,
                ["seconds_per_epoch"] = r.SecondsPerEpoch,
            };
            if (i >= 0)
            {
                entry["difference"] = tests[i].Estimate;
                entry["interval_low"] = tests[i].Interval!.Value.Low;
                entry["interval_high"] = tests[i].Interval!.Value.High;
                entry["p_value"] = tests[i].PValue;
                entry["p_holm"] = holm[i];
                entry["verdict"] = RowText(rowVerdicts[i]);
            }
            numbers[r.Arm.Name] = entry;
        }

        var curves = results.Select(r => new Series(r.Arm.Name, Enumerable.Range(1, epochs).Select(e => (double)e).ToArray(), r.Curve)).ToList();
        string figure = $"{Id}-accuracy";
        var plot = Plots.Line($"MNIST 784-{hidden}-10, {trainCount} images: validation accuracy per epoch (mean over {seeds.Length} seeds, tuned rates)", "epoch", "validation accuracy (%)", curves);
        MnistTuning.EpochTicks(plot, epochs);
        // the y axis shows the top of the table, where the comparisons are made; curves that end far below are named in the caption
        var finals = results.Select(r => r.Curve[^1]).Order().ToArray();
        double yLow = Math.Floor(finals[finals.Length / 2] - 8), yHigh = Math.Ceiling(finals[^1] + 0.5);
        plot.Axes.SetLimitsY(yLow, yHigh);
        var offScale = results.Where(r => r.Curve[^1] < yLow).Select(r => $"{r.Arm.Name} ({F(r.Curve[^1], "F1")} %)").ToArray();
        Plots.Save(plot, Path.Combine(context.OutputDirectory, figure), 1100, Math.Max(600, 24 * curves.Count + 120));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), curves);
        string differencesFigure = $"{Id}-differences";
        var order = Enumerable.Range(0, others.Length).OrderByDescending(i => tests[i].Estimate).ToArray();
        Plots.Save(MnistTuning.Differences($"Test accuracy minus AdamW + cosine (points), mean and 95 % t interval over {seeds.Length} paired seeds", "difference (accuracy points)",
            order.Select(i => others[i].Arm.Name).ToArray(), order.Select(i => tests[i].Estimate).ToArray(), order.Select(i => tests[i].Interval!.Value).ToArray(), -Margin),
            Path.Combine(context.OutputDirectory, differencesFigure), 1000, Math.Max(450, 22 * others.Length + 150));

        int nonInferior = rowVerdicts.Count(v => v == Verdict.Supported), inferior = rowVerdicts.Count(v => v == Verdict.NotSupported);
        var p = primary >= 0 ? tests[primary] : null;
        var primaryResult = primary >= 0 ? others[primary] : null;
        var result = new ExperimentResult
        {
            Claim = $"Schedule-free AdamW without any schedule is non-inferior to AdamW + cosine in test accuracy (margin {Margin} points), each at its rate tuned on a validation split.",
            Summary = p is null || primaryResult is null ? $"{results.Length} optimizers; the primary arm was not run" :
                string.Create(c, $"schedule-free AdamW {primaryResult.Test.Average():F2} % vs AdamW + cosine {reference.Test.Average():F2} % over {seeds.Length} paired seeds: difference {p.Estimate:+0.00;-0.00} points, 95 % CI {p.Interval!.Value.ToString("F2")}, non-inferiority p = {p.PValue:G3}; ") +
                $"of {others.Length} optimizers vs AdamW + cosine (Holm): {nonInferior} non-inferior, {inferior} inferior by more than {F(Margin, "G2")} points, {others.Length - nonInferior - inferior} undecided",
            Outcome = verdict,
            Source = new ClaimSource("Defazio et al., \"The Road Less Scheduled\", NeurIPS 2024 (schedule-free AdamW)",
                "Schedule-free AdamW matches or beats AdamW with a tuned cosine schedule without needing the stopping time in advance."),
            Design = $"MNIST-10k: the first {trainCount} training images train, the last {validationCount} of the training file validate, the {split.Test.Count} test images are used only for the final evaluation. " +
                     $"MLP 784-{hidden}-10, batch {batch}, {epochs} epochs ({totalSteps} steps), float32. Every minibatch optimizer of the catalog at its catalog example's other settings; cosine decay to 0 over the run, except schedule-free optimizers (constant rate, evaluated at their averaged iterate). " +
                     $"Rate: chosen per optimizer on the validation split (final validation accuracy, tuning seed {tuningSeeds[0]}) over its family's fixed grid: {string.Join("; ", FamilyGrids.Select(g => $"{g.Key} {{{string.Join(", ", g.Value.Select(v => v.ToString("G3", c)))}}}"))}; a best rate at an edge of the grid extends it by one grid step in that direction, at most {MnistTuning.MaxExtensions} times per side. " +
                     $"Evaluation: {seeds.Length} seeds ({string.Join(", ", seeds)}), each seed the same initialisation and data order in every arm; metric: test accuracy (%) after the last epoch (a diverged run counts 10 %). " +
                     $"Primary rule (the source's claim): d = acc(schedule-free AdamW) - acc(AdamW + cosine), paired t-test of H0: mean d <= -{Margin} at alpha {Alpha}; supported if p <= {Alpha}, not supported if the 95 % interval of mean d lies below -{Margin}, else inconclusive. " +
                     $"Secondary: the same test for every other optimizer against AdamW + cosine, Holm-corrected over the {others.Length} comparisons.",
            Test = $"paired t, one-sided non-inferiority (margin {Margin} points), {seeds.Length} seeds; secondary comparisons Holm-corrected over {others.Length}",
            Statistic = p?.Statistic,
            PValue = p?.PValue,
            Interval = p?.Interval,
        };
        result.Departures.Add($"The paper trains large models for many epochs; this is a small MLP ({hidden} hidden units) for {epochs} epochs on {trainCount} images, so that {results.Length} optimizers x (grid + {seeds.Length} seeds) trainings fit in about ten minutes on 2 cores.");
        result.Departures.Add("Each rate is tuned on one tuning seed, not on several (cost); the grid is fixed per family, so a rate still at an edge after the extensions (marked) may not be the optimum.");
        result.Departures.Add($"Left out: {(left.Length == 0 ? "none of the catalog" : string.Join(", ", left))} (full-batch method{(left.Length == 1 ? "" : "s")}: the sign logic needs the exact gradient; shown in experiment 3's full-batch runs). L-BFGS is not an entry of the optimizer catalog (the library's full-batch minimizer, raced in experiment 4).");
        if (quick) result.Departures.Add($"Quick set: {definitions.Length} optimizers, 2 grid rates each, 2 seeds, {epochs} epochs on {trainCount} images, 784-{hidden}-10.");
        result.Paragraphs.Add("Rates are tuned on the validation split and then frozen; the test set is evaluated once per evaluation run, after its last epoch. The optimizer texts in results.json are exactly what ran.");
        result.Paragraphs.Add("Seconds per epoch are wall-clock training time on this machine (a shared CPU, so noisy).");
        result.Tables.Add(new ExperimentTable($"Per optimizer: tuned rate, validation and test accuracy (%) with 95 % t interval over {seeds.Length} seeds, difference from AdamW + cosine with 95 % interval, Holm-adjusted non-inferiority p",
            ["optimizer", "family", "rate", "schedule", "validation", "test", "minus AdamW + cosine", "p (Holm)", "verdict", "s/epoch"], rows));
        result.Tables.Add(MnistTuning.TuningTable(results, "optimizer"));
        result.Figures.Add(new ExperimentFigure(differencesFigure + ".png", $"Each optimizer's test accuracy minus AdamW + cosine's, paired by seed, with 95 % t intervals; the dashed line is the non-inferiority margin -{Margin}."));
        result.Figures.Add(new ExperimentFigure(figure + ".png", $"Validation accuracy per epoch at the tuned rate, mean over the evaluation seeds, one line per optimizer; the y axis starts at {F(yLow, "F0")} %" +
            (offScale.Length == 0 ? "." : $", below it (final value): {string.Join(", ", offScale)}.")));
        MnistTuning.RecordDesign(result, epochs, hidden, trainCount, validationCount, seeds, tuningSeeds);
        result.Numbers["left_out"] = left;
        result.Numbers["optimizers"] = numbers;
        return result;
    }
}
