using System.Globalization;
using System.Text.RegularExpressions;
using Descent.Lab.Data;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>
/// The tuning protocol of the MNIST experiments 15 and 18: a validation split carved from the training file (the test file is
/// read once per evaluation run, after training, and never for a choice), a learning rate per arm chosen on that split over one
/// fixed grid per optimizer family (tuning seeds of their own), then paired evaluation runs: every arm trains from the same
/// initialisation with the same data order for a given evaluation seed.
/// </summary>
public static class MnistTuning
{
    /// <summary>The carved problem: <see cref="Fit"/> trains on the first images of the training file and evaluates each epoch on
    /// the last ones (the validation split); <see cref="Test"/> is the untouched test file.</summary>
    public sealed record Split(TrainingProblem Fit, Dataset Test)
    {
        /// <summary>The validation split (the last images of the training file).</summary>
        public Dataset Validation => Fit.Test;
    }

    /// <summary>
    /// Loads MNIST from <paramref name="dataDirectory"/> and carves it: the first <paramref name="trainCount"/> training images
    /// train, the last <paramref name="validationCount"/> validate (the training file of MNIST-10k is shuffled, so both are random
    /// subsets), the test file is kept apart. The MLP is 784-<paramref name="hidden"/>-10.
    /// </summary>
    public static Split Carve(string dataDirectory, int hidden, int trainCount, int validationCount)
    {
        var all = TrainingProblem.Create("mnist-mlp", hidden, dataDirectory);
        int n = all.Train.Count;
        if (trainCount < 1 || validationCount < 1 || trainCount + validationCount > n)
            throw new ArgumentOutOfRangeException(nameof(trainCount), $"{trainCount} training and {validationCount} validation images do not fit in the {n} of the training file.");
        var fit = Slice(all.Train, 0, trainCount, "train");
        var validation = Slice(all.Train, n - validationCount, validationCount, "validation");
        return new Split(new TrainingProblem(all.Name, fit, validation, all.LayerSizes), all.Test);
    }

    private static Dataset Slice(Dataset d, int start, int count, string name)
        => new(name, d.Features.AsSpan(start * d.FeatureCount, count * d.FeatureCount).ToArray(), d.FeatureCount,
            d.Labels!.AsSpan(start, count).ToArray(), d.ClassCount, null);

    /// <summary>
    /// <paramref name="text"/> (an optimizer's text form) with its learning rate set to <paramref name="learningRate"/>: an
    /// <c>lr=</c> argument is replaced, or added first when the text has none; the result is checked by parsing it.
    /// </summary>
    public static string WithLearningRate(string text, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(text);
        string lr = "lr=" + learningRate.ToString("R", CultureInfo.InvariantCulture);
        var named = new Regex(@"\blr\s*=\s*[^,)]+");
        string result;
        if (named.IsMatch(text)) result = named.Replace(text, lr, 1);
        else
        {
            int open = text.IndexOf('(', StringComparison.Ordinal);
            if (open < 0) result = $"{text}({lr})";
            else
            {
                string rest = text[(open + 1)..].TrimStart();
                result = text[..(open + 1)] + lr + (rest.StartsWith(')') ? rest : ", " + rest);
            }
        }
        OptimizerCatalog.Parse(result);
        return result;
    }

    /// <summary>One arm: an optimizer (text with any <c>lr</c>; the grid's rate replaces it) under a schedule (text from the rate, or null: constant).</summary>
    public sealed record Arm(string Name, string Optimizer, Func<double, string?> Schedule, IReadOnlyList<double> Grid, string Family);

    /// <summary>What one arm measured.</summary>
    /// <param name="Arm">The arm.</param>
    /// <param name="Rates">The rates tried: the family's grid, extended where the best was at an edge.</param>
    /// <param name="GridValidation">Mean final validation accuracy (%) over the tuning seeds at each rate tried (0 for a diverged run).</param>
    /// <param name="Rate">The chosen rate: the grid rate with the highest mean validation accuracy.</param>
    /// <param name="Test">Test accuracy (%) per evaluation seed at the chosen rate (a diverged run counts as chance, 10 %).</param>
    /// <param name="Validation">Final validation accuracy (%) per evaluation seed.</param>
    /// <param name="Curve">Mean validation accuracy (%) over the evaluation seeds after each epoch.</param>
    /// <param name="Diverged">Evaluation runs that diverged.</param>
    /// <param name="SecondsPerEpoch">Mean training seconds per epoch of the evaluation runs (wall clock, shared host).</param>
    public sealed record ArmResult(Arm Arm, double[] Rates, double[] GridValidation, double Rate, double[] Test, double[] Validation, double[] Curve, int Diverged, double SecondsPerEpoch)
    {
        /// <summary>Whether the chosen rate is still the smallest or largest rate tried after the extensions (the optimum may lie outside).</summary>
        public bool AtGridEdge => Rates.Length > 1 && (Rate == Rates[0] || Rate == Rates[^1]);

        /// <summary>Whether the grid was extended beyond the family's grid.</summary>
        public bool Extended => Rates.Length > Arm.Grid.Count;

        /// <summary>The optimizer text at the chosen rate.</summary>
        public string OptimizerText => WithLearningRate(Arm.Optimizer, Rate);

        /// <summary>The schedule text at the chosen rate ("constant" when none).</summary>
        public string ScheduleText => Arm.Schedule(Rate) ?? "constant";
    }

    /// <summary>How many times a grid is extended on each side when its best rate sits at that edge.</summary>
    public const int MaxExtensions = 2;

    /// <summary>The index of the best mean validation accuracy (the first on ties; NaN counts as worst).</summary>
    public static int Choose(IReadOnlyList<double> gridValidation)
    {
        ArgumentNullException.ThrowIfNull(gridValidation);
        int best = 0;
        for (int i = 1; i < gridValidation.Count; i++)
            if (gridValidation[i] > gridValidation[best] || double.IsNaN(gridValidation[best])) best = i;
        return best;
    }

    /// <summary>
    /// Tunes <paramref name="arm"/> on the validation split (each grid rate trained once per tuning seed), then trains at the chosen
    /// rate once per evaluation seed and evaluates on the test file after the last epoch.
    /// </summary>
    public static ArmResult Run(Split split, Arm arm, int epochs, int batch, IReadOnlyList<int> tuningSeeds, IReadOnlyList<int> evaluationSeeds, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(arm);
        ArgumentNullException.ThrowIfNull(log);
        var c = CultureInfo.InvariantCulture;
        TrainingResult Train(double rate, int seed, out Trainer trainer)
        {
            trainer = new Trainer(split.Fit, new TrainingOptions
            {
                Optimizer = WithLearningRate(arm.Optimizer, rate), Schedule = arm.Schedule(rate), Epochs = epochs, BatchSize = batch, Seed = (ulong)seed,
            });
            return trainer.Run();
        }
        double Tune(double rate) => tuningSeeds.Select(seed =>
        {
            var r = Train(rate, seed, out _);
            return r.Status == TrainingStatus.Completed && double.IsFinite(r.TestAccuracy) ? 100 * r.TestAccuracy : 0;
        }).Average();
        var rates = arm.Grid.ToList();
        var scores = rates.Select(Tune).ToList();
        int chosen = Choose(scores);
        // a best rate at an edge of the grid extends the grid by one of its own steps in that direction (at most MaxExtensions times per side)
        for (int low = 0, high = 0; rates.Count > 1;)
        {
            if (chosen == 0 && low < MaxExtensions) { low++; rates.Insert(0, rates[0] * rates[0] / rates[1]); scores.Insert(0, Tune(rates[0])); }
            else if (chosen == rates.Count - 1 && high < MaxExtensions) { high++; rates.Add(rates[^1] * rates[^1] / rates[^2]); scores.Add(Tune(rates[^1])); }
            else break;
            chosen = Choose(scores);
        }
        var gridValidation = scores.ToArray();
        double lr = rates[chosen];
        var test = new double[evaluationSeeds.Count];
        var validation = new double[evaluationSeeds.Count];
        var curve = new double[epochs];
        int diverged = 0;
        double seconds = 0;
        for (int s = 0; s < evaluationSeeds.Count; s++)
        {
            var r = Train(lr, evaluationSeeds[s], out var trainer);
            bool ok = r.Status == TrainingStatus.Completed;
            if (!ok) diverged++;
            validation[s] = ok ? 100 * r.TestAccuracy : 10;
            test[s] = ok ? 100 * trainer.Evaluate(split.Test).Accuracy : 10;
            for (int e = 0; e < epochs; e++) curve[e] += (e < r.History.Count ? 100 * r.History[e].TestAccuracy : 10) / evaluationSeeds.Count;
            seconds += r.History.Count == 0 ? 0 : r.History.Average(h => h.TrainSeconds) / evaluationSeeds.Count;
        }
        log(string.Create(c, $"{arm.Name}: rate {lr:G3} (validation {gridValidation[chosen]:F2} %), test {test.Average():F2} % over {test.Length} seeds"));
        return new ArmResult(arm, rates.ToArray(), gridValidation, lr, test, validation, curve, diverged, seconds);
    }

    /// <summary>The tuning table of an experiment: per arm, the mean final validation accuracy (%) at each grid rate tried.</summary>
    public static ExperimentTable TuningTable(IEnumerable<ArmResult> results, string armColumn)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        return new ExperimentTable("Tuning: mean final validation accuracy (%) at each grid rate", [armColumn, "grid: rate = accuracy"],
            results.Select(r => (IReadOnlyList<string>)[r.Arm.Name, string.Join("; ", r.Rates.Select((g, k) => $"{g.ToString("G3", c)} = {r.GridValidation[k].ToString("F2", c)}"))]).ToArray());
    }

    /// <summary>Records the shared design numbers of a tuned MNIST experiment in its result.</summary>
    public static void RecordDesign(ExperimentResult result, int epochs, int hidden, int trainCount, int validationCount, IReadOnlyList<int> seeds, IReadOnlyList<int> tuningSeeds)
    {
        result.Numbers["epochs"] = epochs;
        result.Numbers["hidden"] = hidden;
        result.Numbers["train_images"] = trainCount;
        result.Numbers["validation_images"] = validationCount;
        result.Numbers["seeds"] = seeds;
        result.Numbers["tuning_seeds"] = tuningSeeds;
    }

    /// <summary>Integer ticks on an epoch axis (no fractional epochs).</summary>
    public static void EpochTicks(ScottPlot.Plot plot, int epochs)
    {
        ArgumentNullException.ThrowIfNull(plot);
        int step = Math.Max(1, (int)Math.Ceiling(epochs / 10.0));
        var ticks = Enumerable.Range(1, epochs).Where(e => e == 1 || e % step == 0).Select(e => (double)e).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => t.ToString("0", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(0.8, epochs + 0.2);
    }

    /// <summary>
    /// A forest plot of paired differences: one row per comparison (names on the left, first row on top), the estimate as a dot
    /// with its interval as a whisker, a dotted line at zero and, when given, a dashed line at the margin. The x axis spans the
    /// intervals down to <paramref name="floor"/> (whiskers are cut there); a row whose estimate lies below it is drawn as a square at the
    /// floor with its estimate written in its name, so that one failed arm does not squash the differences being judged.
    /// </summary>
    public static ScottPlot.Plot Differences(string title, string xLabel, IReadOnlyList<string> names, IReadOnlyList<double> estimate,
        IReadOnlyList<Interval> intervals, double? margin, double floor = -6)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(estimate);
        ArgumentNullException.ThrowIfNull(intervals);
        var c = CultureInfo.InvariantCulture;
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        int n = names.Count;
        double low = Math.Max(floor, Math.Min(margin ?? 0, intervals.Select(i => i.Low).Where(double.IsFinite).DefaultIfEmpty(0).Min()) - 0.2);
        double high = Math.Max(0, intervals.Select(i => i.High).Where(double.IsFinite).DefaultIfEmpty(0).Max()) + 0.2;
        var labels = new string[n];
        for (int i = 0; i < n; i++)
        {
            double y = n - 1 - i;
            var color = Plots.Palette(i, n);
            bool off = !(estimate[i] >= low);
            labels[i] = off ? $"{names[i]} ({estimate[i].ToString("F1", c)}, off scale)" : names[i];
            var whisker = plot.Add.Line(Math.Max(intervals[i].Low, low), y, Math.Min(intervals[i].High, high), y);
            whisker.LineWidth = 2;
            whisker.Color = color;
            if (estimate[i] >= low) plot.Add.Marker(estimate[i], y, ScottPlot.MarkerShape.FilledCircle, 8, color);
            else plot.Add.Marker(low, y, ScottPlot.MarkerShape.FilledSquare, 9, color);
        }
        var zero = plot.Add.VerticalLine(0, 1, ScottPlot.Colors.Black, ScottPlot.LinePattern.Dotted);
        zero.LegendText = "no difference";
        if (margin is { } m)
        {
            var line = plot.Add.VerticalLine(m, 2, ScottPlot.Colors.Red, ScottPlot.LinePattern.Dashed);
            line.LegendText = $"margin {m.ToString("G3", c)}";
        }
        plot.Axes.Left.SetTicks(Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray(), labels);
        plot.Axes.SetLimits(low, high, -0.7, n - 0.3);
        Plots.LegendOutside(plot);
        return plot;
    }
}
