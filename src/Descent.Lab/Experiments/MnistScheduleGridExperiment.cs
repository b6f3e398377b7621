using System.Globalization;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 15: the MNIST MLP trained by SGD+Nesterov, Adam and AdamW under constant, step, cosine and 1cycle schedules, each
/// arm at a learning rate chosen on a validation split over its optimizer family's fixed grid, then over paired evaluation seeds.
/// Per optimizer, each schedule is compared with the constant rate by a one-sided paired t-test (superiority), Holm-corrected
/// over the nine comparisons.
/// </summary>
public sealed class MnistScheduleGridExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 15;
    /// <inheritdoc />
    public string Id => "mnist-optimizer-schedule-grid";
    /// <inheritdoc />
    public string Title => "MNIST MLP: optimizers × schedules";

    /// <summary>The significance level (after Holm).</summary>
    public const double Alpha = 0.05;

    /// <summary>The schedules of the claim (annealed); step is measured and tested too but is not part of the rule.</summary>
    public static IReadOnlyList<string> Annealed { get; } = ["cosine", "1cycle"];

    private static readonly (string Name, string Text, string Catalog)[] Optimizers =
    [
        ("SGD+Nesterov", "sgd(lr=0.1, momentum=0.9, nesterov=true)", "nesterov"),
        ("Adam", "adam(lr=1e-3)", "adam"),
        ("AdamW", "adamw(lr=3e-3, weight_decay=0.01)", "adamw"),
    ];

    /// <summary>One comparison of a schedule with the constant rate for one optimizer: Holm-adjusted one-sided p and the 95 % interval of the mean gain (points).</summary>
    public sealed record Comparison(string Optimizer, string Schedule, double AdjustedP, Interval Interval);

    /// <summary>
    /// The pre-stated rule: supported if, for every optimizer, cosine or 1cycle beats the constant rate (Holm-adjusted p at most
    /// <see cref="Alpha"/>); not supported if, for some optimizer, neither annealed schedule can be better (the 95 % interval of
    /// each one's gain lies at or below 0); otherwise inconclusive.
    /// </summary>
    public static Verdict Decide(IReadOnlyList<Comparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var byOptimizer = comparisons.Where(k => Annealed.Contains(k.Schedule)).GroupBy(k => k.Optimizer).ToArray();
        if (byOptimizer.Length == 0) return Verdict.Inconclusive;
        if (byOptimizer.Any(g => g.All(k => k.Interval.High <= 0))) return Verdict.NotSupported;
        return byOptimizer.All(g => g.Any(k => k.AdjustedP <= Alpha)) ? Verdict.Supported : Verdict.Inconclusive;
    }

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        bool quick = context.Quick;
        int epochs = quick ? 3 : 8, hidden = quick ? 32 : 128, trainCount = quick ? 2000 : 6000, validationCount = quick ? 500 : 2000;
        const int batch = 128;
        int[] tuningSeeds = quick ? [context.Seed + 1000] : [context.Seed + 1000, context.Seed + 1001];
        int[] seeds = Enumerable.Range(context.Seed + 1, quick ? 2 : 5).ToArray();
        var split = MnistTuning.Carve(context.DataDirectory, hidden, trainCount, validationCount);
        int batches = (split.Fit.Train.Count + batch - 1) / batch;
        long total = (long)epochs * batches;
        (string Name, Func<double, string?> Text)[] schedules =
        [
            ("constant", _ => null),
            ("step", _ => $"step({Math.Max(1, total / 3)}, gamma=0.1)"),
            ("cosine", _ => $"cosine({total})"),
            ("1cycle", lr => $"onecycle(max={lr.ToString("R", CultureInfo.InvariantCulture)})"),
        ];
        var c = CultureInfo.InvariantCulture;
        var results = new List<MnistTuning.ArmResult>();
        foreach (var (name, text, catalog) in Optimizers)
        {
            var (family, grid) = EveryOptimizerExperiment.FamilyOf(Descent.Optimizers.OptimizerCatalog.All.Single(d => d.Name == catalog));
            if (quick) grid = grid.Skip(Math.Max(0, grid.Length / 2 - 1)).Take(2).ToArray();
            foreach (var (schedule, scheduleText) in schedules)
                results.Add(MnistTuning.Run(split, new MnistTuning.Arm($"{name} {schedule}", text, scheduleText, grid, family), epochs, batch, tuningSeeds, seeds, m => context.Log($"{Id}: {m}")));
        }
        MnistTuning.ArmResult Get(string optimizer, string schedule) => results.Single(r => r.Arm.Name == $"{optimizer} {schedule}");
        var pairs = Optimizers.SelectMany(o => schedules.Skip(1).Select(s => (Optimizer: o.Name, Schedule: s.Name))).ToArray();
        var tests = pairs.Select(k => PairedTTest.Test(Get(k.Optimizer, k.Schedule).Test, Get(k.Optimizer, "constant").Test, Alternative.Greater)).ToArray();
        double[] holm = Holm.Adjust(tests.Select(t => t.PValue).ToArray());
        var comparisons = pairs.Select((k, i) => new Comparison(k.Optimizer, k.Schedule, holm[i], tests[i].Interval!.Value)).ToArray();
        Verdict verdict = Decide(comparisons);
        // the deciding comparison: the best annealed schedule of the optimizer whose best annealed gain is weakest
        int deciding = Optimizers.Select(o => Enumerable.Range(0, pairs.Length).Where(i => pairs[i].Optimizer == o.Name && Annealed.Contains(pairs[i].Schedule)).OrderBy(i => holm[i]).First())
            .OrderByDescending(i => holm[i]).First();

        var rows = Optimizers.Select(o => (IReadOnlyList<string>)new[] { o.Name }.Concat(schedules.Select(s =>
        {
            var r = Get(o.Name, s.Name);
            return $"{r.Test.Average().ToString("F2", c)} {PairedTTest.MeanInterval(r.Test).ToString("F2")} at {r.Rate.ToString("G3", c)}{(r.AtGridEdge ? "*" : "")}";
        })).ToArray()).ToList();
        var comparisonRows = pairs.Select((k, i) => (IReadOnlyList<string>)[k.Optimizer, k.Schedule, tests[i].Estimate.ToString("+0.00;-0.00", c), tests[i].Interval!.Value.ToString("F2"),
            tests[i].Statistic.ToString("F2", c), tests[i].PValue.ToString("G3", c), holm[i].ToString("G3", c), holm[i] <= Alpha ? "better than constant" : tests[i].Interval!.Value.High <= 0 ? "not better" : "undecided"]).ToArray();
        var curves = results.Select(r => new Series(r.Arm.Name, Enumerable.Range(1, epochs).Select(e => (double)e).ToArray(), r.Curve)).ToList();
        var plot = Plots.Line($"MNIST 784-{hidden}-10: validation accuracy per epoch at tuned rates (mean over {seeds.Length} seeds)", "epoch", "validation accuracy (%)", curves);
        MnistTuning.EpochTicks(plot, epochs);
        Plots.Save(plot, Path.Combine(context.OutputDirectory, Id), 1100, 650);
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), curves);
        Plots.Save(MnistTuning.Differences($"Test accuracy gain over the constant rate (points), mean and 95 % t interval over {seeds.Length} paired seeds", "gain (accuracy points)",
            pairs.Select(k => $"{k.Optimizer} {k.Schedule}").ToArray(), tests.Select(t => t.Estimate).ToArray(), tests.Select(t => t.Interval!.Value).ToArray(), null),
            Path.Combine(context.OutputDirectory, Id + "-gains"), 1000, 450);

        var numbers = new Dictionary<string, object>();
        foreach (var r in results)
            numbers[r.Arm.Name] = new Dictionary<string, object>
            {
                ["family"] = r.Arm.Family, ["grid"] = r.Arm.Grid.ToArray(), ["rates_tried"] = r.Rates, ["grid_validation_accuracy"] = r.GridValidation, ["rate"] = r.Rate, ["at_grid_edge"] = r.AtGridEdge,
                ["optimizer"] = r.OptimizerText, ["schedule"] = r.ScheduleText, ["test_accuracy"] = r.Test, ["validation_accuracy"] = r.Validation,
                ["validation_accuracy_per_epoch"] = r.Curve, ["diverged"] = r.Diverged,
            };
        var result = new ExperimentResult
        {
            Claim = "An annealed schedule (cosine or 1cycle) gives each optimizer (SGD+Nesterov, Adam, AdamW) a higher final test accuracy than its constant learning rate, every arm at its own rate tuned on a validation split.",
            Summary = string.Join("; ", Optimizers.Select(o => $"{o.Name}: " + string.Join(", ", pairs.Select((k, i) => (k, i)).Where(x => x.k.Optimizer == o.Name)
                .Select(x => string.Create(c, $"{x.k.Schedule} {tests[x.i].Estimate:+0.00;-0.00} {tests[x.i].Interval!.Value.ToString("F2")} (Holm p {holm[x.i]:G3})"))))) +
                      string.Create(c, $" (gain over constant in points, {seeds.Length} paired seeds; constant: {string.Join(", ", Optimizers.Select(o => $"{o.Name} {Get(o.Name, "constant").Test.Average():F2} %"))})"),
            Outcome = verdict,
            Source = new ClaimSource("The course's chapter on learning-rate schedules (schedules on MNIST)",
                "Annealing the learning rate (cosine, one-cycle) ends training at a better point than keeping it constant, for SGD with momentum as for Adam."),
            Design = $"MNIST-10k: the first {trainCount} training images train, the last {validationCount} of the training file validate, the {split.Test.Count} test images are used only for the final evaluation. " +
                     $"MLP 784-{hidden}-10, batch {batch}, {epochs} epochs ({total} steps), float32. Optimizers: SGD with Nesterov momentum 0.9, Adam (PyTorch defaults), AdamW (weight decay 0.01); the learning rate is tuned. " +
                     $"Schedules: constant; step (x0.1 every {Math.Max(1, total / 3)} steps); cosine to 0 over the run; 1cycle peaking at the rate (PyTorch defaults: 30 % warm-up, momentum/beta1 cycled 0.95 to 0.85). " +
                     $"Rate: chosen per optimizer and schedule on the validation split (mean final validation accuracy over tuning seeds {string.Join(", ", tuningSeeds)}) over the optimizer family's fixed grid (SGD {{{string.Join(", ", EveryOptimizerExperiment.FamilyGrids["sgd"].Select(v => v.ToString("G3", c)))}}}, Adam/AdamW {{{string.Join(", ", EveryOptimizerExperiment.FamilyGrids["adam"].Select(v => v.ToString("G3", c)))}}}); a best rate at an edge of the grid extends it by one grid step in that direction, at most {MnistTuning.MaxExtensions} times per side. " +
                     $"Evaluation: {seeds.Length} seeds ({string.Join(", ", seeds)}), each the same initialisation and data order in all 12 arms; metric: test accuracy (%) after the last epoch. " +
                     $"Test: per optimizer, each of step, cosine and 1cycle against constant, paired t, one-sided (gain > 0), Holm over the 9 comparisons at alpha {Alpha}. " +
                     "Rule: supported if for every optimizer cosine or 1cycle is significantly better than constant; not supported if for some optimizer the 95 % intervals of both annealed gains lie at or below 0; else inconclusive.",
            Test = $"paired t, one-sided superiority over the constant rate, Holm over 9 comparisons, {seeds.Length} seeds",
            Statistic = tests[deciding].Statistic,
            PValue = holm[deciding],
            Interval = tests[deciding].Interval,
        };
        result.Departures.Add($"A small MLP ({hidden} hidden units) for {epochs} epochs on {trainCount} images, so that 12 arms x (grid x {tuningSeeds.Length} tuning seeds + {seeds.Length} evaluation seeds) trainings fit in about ten minutes on 2 cores; the chapter's claim is about full-length training, where annealing has more steps to act.");
        if (quick) result.Departures.Add($"Quick set: 2 grid rates, 1 tuning seed, 2 evaluation seeds, {epochs} epochs on {trainCount} images, 784-{hidden}-10.");
        result.Paragraphs.Add(string.Create(c, $"The deciding comparison (the weakest optimizer's best annealed schedule) is {pairs[deciding].Optimizer} {pairs[deciding].Schedule}. A rate marked * is still at the edge of its grid after the extensions."));
        result.Tables.Add(new ExperimentTable($"Test accuracy (%), mean and 95 % t interval over {seeds.Length} seeds, at the rate tuned on the validation split", ["optimizer", "constant", "step", "cosine", "1cycle"], rows));
        result.Tables.Add(new ExperimentTable("Gain over the constant rate (points), paired by seed", ["optimizer", "schedule", "mean gain", "95 % interval", "t", "p (one-sided)", "p (Holm)", "reading"], comparisonRows));
        result.Tables.Add(MnistTuning.TuningTable(results, "arm"));
        result.Figures.Add(new ExperimentFigure(Id + "-gains.png", "Gain of each schedule over the constant rate, per optimizer, with 95 % t intervals over the paired seeds."));
        result.Figures.Add(new ExperimentFigure(Id + ".png", "Validation accuracy per epoch at the tuned rate (mean over the evaluation seeds) for every optimizer and schedule."));
        result.Numbers["arms"] = numbers;
        result.Numbers["comparisons"] = pairs.Select((k, i) => new Dictionary<string, object>
        {
            ["optimizer"] = k.Optimizer, ["schedule"] = k.Schedule, ["gain"] = tests[i].Estimate, ["interval_low"] = tests[i].Interval!.Value.Low,
            ["interval_high"] = tests[i].Interval!.Value.High, ["t"] = tests[i].Statistic, ["p_value"] = tests[i].PValue, ["p_holm"] = holm[i],
        }).ToArray();
        MnistTuning.RecordDesign(result, epochs, hidden, trainCount, validationCount, seeds, tuningSeeds);
        return result;
    }
}
