using System.Globalization;
using Descent.Analysis;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 14: the LR range test on the MNIST MLP over seeds, and whether its suggestion is useful: each seed trains at its own
/// valley suggestion and at every rate of a fixed grid; the suggestion is judged against the best grid rate by a paired
/// non-inferiority test with a margin of 0.5 accuracy points. The band over seeds is Student-t (the library's
/// <see cref="LearningRateFinder.RunRepeated"/>), the valley computed after dropping the first tenth and the last five points as fastai does.
/// </summary>
public sealed class LrRangeTestExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 14;
    /// <inheritdoc />
    public string Id => "lr-range-test";
    /// <inheritdoc />
    public string Title => "LR range test on the MNIST MLP: is the suggestion useful?";

    /// <summary>The non-inferiority margin in accuracy points.</summary>
    public const double Margin = 0.5;

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int hidden = context.Quick ? 32 : 64, steps = 100, seedCount = context.Quick ? 3 : 10, epochs = context.Quick ? 1 : 2;
        int limit = context.Quick ? 1024 : 4096;
        const string Optimizer = "adamw(weight_decay=0.01)";
        double[] grid = Enumerable.Range(0, 7).Select(i => Math.Pow(10, -4 + 0.5 * i)).ToArray();
        var problem = TrainingProblem.Create("mnist-mlp", hidden, context.DataDirectory, limit);
        var seeds = Enumerable.Range(context.Seed, seedCount).ToArray();
        context.Log($"{Id}: {seedCount} range tests of {steps} steps, 784-{hidden}-10, {Optimizer}; then {grid.Length + 1} trainings per seed");
        var band = LearningRateRangeTest.Run(problem, Optimizer, 128, seeds, new LearningRateFinderOptions(1e-6, 1, steps));
        var c = CultureInfo.InvariantCulture;
        double Train(double lr, int seed)
        {
            var r = new Trainer(problem, new TrainingOptions
            {
                Optimizer = $"adamw(lr={lr.ToString("R", c)}, weight_decay=0.01)", Epochs = epochs, BatchSize = 128, Seed = (ulong)seed,
            }).Run();
            return r.Status == TrainingStatus.Completed ? 100 * r.TestAccuracy : 0;
        }
        var gridAccuracy = grid.Select(lr => seeds.Select(s => Train(lr, s)).ToArray()).ToArray();
        var valleys = band.Runs.Select(r => r.Suggestions.Valley).ToArray();
        var valleyAccuracy = seeds.Select((s, i) => Train(valleys[i], s)).ToArray();
        int best = Enumerable.Range(0, grid.Length).OrderByDescending(i => gridAccuracy[i].Average()).First();
        var test = PairedTTest.Test(valleyAccuracy, gridAccuracy[best], Alternative.Greater, -Margin);
        var interval = test.Interval!.Value;
        Verdict verdict = test.PValue < 0.05 ? Verdict.Supported : interval.High < -Margin ? Verdict.NotSupported : Verdict.Inconclusive;

        var plot = Plots.Line($"LR range test, {Optimizer}, {seedCount} seeds: mean smoothed loss", "learning rate (log10)", "smoothed training loss",
            [new Series("mean smoothed loss", band.LearningRates, band.Mean)], logX: true);
        Plots.Band(plot, band.LearningRates.Select(Math.Log10).ToArray(), band.Lower, band.Upper, Plots.Palette(0), "95 % Student-t band over seeds");
        Plots.Span(plot, Math.Log10(band.ValleyInterval.Low), Math.Log10(band.ValleyInterval.High), Plots.Palette(2), "valley suggestions (min to max over seeds)");
        Plots.MarkX(plot, Math.Log10(band.ValleyMedian), Plots.Palette(3), $"median valley {band.ValleyMedian.ToString("G3", c)}");
        Plots.MarkX(plot, Math.Log10(grid[best]), Plots.Palette(1), $"best grid rate {grid[best].ToString("G3", c)}");
        Plots.Save(plot, Path.Combine(context.OutputDirectory, Id), 1000, 550);
        ResultsFiles.WriteCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), ["learning_rate", "mean", "lower", "upper"], [band.LearningRates, band.Mean, band.Lower, band.Upper]);
        var accuracyPlot = Plots.Line($"Test accuracy after {epochs} epoch(s): grid (mean and 95 % t interval over {seedCount} seeds)", "learning rate (log10)", "test accuracy (%)",
            [new Series("grid, mean over seeds", grid, gridAccuracy.Select(a => a.Average()).ToArray())], logX: true);
        Plots.Band(accuracyPlot, grid.Select(Math.Log10).ToArray(), gridAccuracy.Select(a => PairedTTest.MeanInterval(a).Low).ToArray(),
            gridAccuracy.Select(a => PairedTTest.MeanInterval(a).High).ToArray(), Plots.Palette(0), "95 % t interval");
        var markers = accuracyPlot.Add.Markers(valleys.Select(Math.Log10).ToArray(), valleyAccuracy, ScottPlot.MarkerShape.FilledCircle, 7, Plots.Palette(3));
        markers.LegendText = "each seed at its valley suggestion";
        Plots.Save(accuracyPlot, Path.Combine(context.OutputDirectory, Id + "-usefulness"), 1000, 550);

        var (low, high) = band.ValleyInterval;
        var result = new ExperimentResult
        {
            Claim = $"Training at the range test's suggestion (fastai's valley) is as good as training at the best rate of a grid: its test accuracy is at most {Margin} points below.",
            Summary = string.Create(c, $"valley over {seedCount} seeds in [{low:G3}, {high:G3}] (median {band.ValleyMedian:G3}); accuracy at the valley {valleyAccuracy.Average():F2} % vs best grid rate {grid[best]:G3} {gridAccuracy[best].Average():F2} %; difference {test.Estimate:F2} points, 95 % CI {interval.ToString("F2")}, non-inferiority (margin {Margin}) p = {test.PValue:G3}"),
            Outcome = verdict,
            Source = new ClaimSource("Smith, \"Cyclical Learning Rates for Training Neural Networks\", WACV 2017, section 3.3; fastai lr_find",
                "The LR range test ... run your model for several epochs while letting the learning rate increase linearly between low and high LR values ... note the learning rate value when the accuracy starts to increase and when the accuracy slows, becomes ragged, or starts to fall. These two learning rates are good choices for bounds."),
            Design = $"MNIST-10k, first {limit} training images, 784-{hidden}-10 MLP, {Optimizer}, batch 128; {seedCount} seeds (initialisation and data order). Range test: rate from 1e-6 to 1 over {steps} steps (exponential), debiased EMA 0.98, valley after dropping the first tenth and last 5 points. " +
                     $"Each seed then trains {epochs} epoch(s) at its valley and at each grid rate 1e-4, 10^-3.5, ..., 0.1 (7 rates). Best grid rate: highest mean test accuracy over seeds. " +
                     $"Rule: paired t-test of d = acc(valley) - acc(best grid) against H0: mean d <= -{Margin} points; supported if p < 0.05, not supported if the 95 % interval of mean d lies below -{Margin}, else inconclusive.",
            Test = $"paired t (one-sided non-inferiority, margin {Margin} points), {seedCount} seeds",
            Statistic = test.Statistic,
            PValue = test.PValue,
            Interval = interval,
        };
        result.Departures.Add("Smith's test ramps linearly and reads accuracy; the library follows fastai (exponential ramp, smoothed training loss, valley suggestion), which is what users call.");
        result.Departures.Add($"The best grid rate is picked on the same test accuracy it is compared on, which favours the grid (a conservative choice against the claim); {epochs} epoch(s) on {limit} images keep {seedCount} x 8 trainings affordable on 2 cores.");
        if (context.Quick) result.Departures.Add("Quick set: 3 seeds, 1 epoch on 1,024 images, hidden 32.");
        result.Paragraphs.Add(string.Create(c, $"Band: Student's t with {seedCount - 1} degrees of freedom (t = {StudentT.CriticalValue(0.95, seedCount - 1):F2}); the normal 1.96 would be too narrow for few seeds."));
        result.Tables.Add(new ExperimentTable("Per seed: suggestions and test accuracy (%)", ["seed", "valley", "steepest", "min / 10", "accuracy at valley", $"accuracy at best grid rate {grid[best].ToString("G3", c)}"],
            band.Runs.Select((r, i) => (IReadOnlyList<string>)[seeds[i].ToString(c), r.Suggestions.Valley.ToString("G3", c), r.Suggestions.Steepest.ToString("G3", c),
                r.Suggestions.MinimumOverTen.ToString("G3", c), valleyAccuracy[i].ToString("F2", c), gridAccuracy[best][i].ToString("F2", c)]).ToArray()));
        result.Tables.Add(new ExperimentTable("Grid: mean test accuracy (%) over seeds with 95 % t interval", ["rate", "mean", "interval"],
            grid.Select((lr, i) => (IReadOnlyList<string>)[lr.ToString("G3", c), gridAccuracy[i].Average().ToString("F2", c), PairedTTest.MeanInterval(gridAccuracy[i]).ToString("F2")]).ToArray()));
        result.Figures.Add(new ExperimentFigure(Id + ".png", "Smoothed loss against the learning rate: mean, 95 % Student-t band (shaded), the valley suggestions (shaded span) and their median."));
        result.Figures.Add(new ExperimentFigure(Id + "-usefulness.png", "Test accuracy on the grid (mean and interval over seeds) and each seed at its own valley suggestion."));
        result.Numbers["valley_low"] = low;
        result.Numbers["valley_high"] = high;
        result.Numbers["valley_median"] = band.ValleyMedian;
        result.Numbers["valleys"] = valleys;
        result.Numbers["valley_accuracy"] = valleyAccuracy;
        result.Numbers["grid"] = grid;
        result.Numbers["grid_accuracy"] = gridAccuracy;
        result.Numbers["best_grid_rate"] = grid[best];
        return result;
    }
}
