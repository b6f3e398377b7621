using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Losses;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>Experiment 1: MSE vs MAE vs Huber on a regression with outliers (the lecture's five points, then a line fit).</summary>
public sealed class LossOutliersExperiment : IExperiment
{
    /// <inheritdoc/>
    public int Number => 1;
    /// <inheritdoc/>
    public string Id => "loss-outliers";
    /// <inheritdoc/>
    public string Title => "MSE vs MAE vs Huber with outliers";

    /// <summary>The loss value on the lecture's five points (MSE, Huber with delta 5, MAE), via the library's losses.</summary>
    public static (double Mse, double Huber, double Mae) FivePointValues()
    {
        var p = SyntheticData.FivePoint();
        var g = new double[p.Predictions.Length];
        return (new MeanSquaredError<double>().Evaluate(p.Predictions, p.Targets, g),
                new Huber<double>(delta: 5).Evaluate(p.Predictions, p.Targets, g),
                new MeanAbsoluteError<double>().Evaluate(p.Predictions, p.Targets, g));
    }

    /// <summary>Fits y = w·x + b by full-batch gradient descent (the library's SGD) under <paramref name="loss"/>; returns (w, b).</summary>
    public static (double Slope, double Intercept) FitLine(Dataset data, PointwiseLoss<double> loss, int steps, double learningRate)
    {
        int n = data.Count;
        var x = data.Features.Select(v => (double)v).ToArray();
        var y = data.Targets!.Select(v => (double)v).ToArray();
        var theta = new double[2];
        var grad = new double[2];
        var optimizer = Optim.Sgd<double>(learningRate);
        optimizer.AddGroup(new Parameter<double>("line", theta, grad));
        var pred = new double[n];
        var dl = new double[n];
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < n; i++) pred[i] = theta[0] * x[i] + theta[1];
            loss.Evaluate(pred, y, dl);
            double gw = 0, gb = 0;
            for (int i = 0; i < n; i++) { gw += dl[i] * x[i]; gb += dl[i]; }
            grad[0] = gw;
            grad[1] = gb;
            optimizer.Step();
        }
        return (theta[0], theta[1]);
    }

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        var (mse, huber, mae) = FivePointValues();
        const double trueSlope = 2, trueIntercept = 1;
        int count = context.Quick ? 200 : 1000;
        int steps = context.Quick ? 2000 : 5000;
        int dataSets = context.Quick ? 8 : 30;
        var losses = new (string Name, PointwiseLoss<double> Loss)[]
        {
            ("MSE", new MeanSquaredError<double>()), ("Huber (delta 1)", new Huber<double>(delta: 1)), ("MAE", new MeanAbsoluteError<double>()),
        };
        double Error((double Slope, double Intercept) f) => Math.Sqrt(Math.Pow(f.Slope - trueSlope, 2) + Math.Pow(f.Intercept - trueIntercept, 2));
        // Every loss is fitted on the same data sets (paired by data set); the first one is tabulated and plotted.
        var errorsBySet = losses.Select(_ => new double[dataSets]).ToArray();
        var data = SyntheticData.RegressionWithOutliers(count, (ulong)context.Seed, trueSlope, trueIntercept, noise: 0.1, outlierFraction: 0.1, outlierShift: 10);
        (string Name, (double Slope, double Intercept) Fit)[] fits = [];
        for (int set = 0; set < dataSets; set++)
        {
            var sample = set == 0 ? data : SyntheticData.RegressionWithOutliers(count, (ulong)(context.Seed + set), trueSlope, trueIntercept, noise: 0.1, outlierFraction: 0.1, outlierShift: 10);
            var setFits = losses.Select(l => (l.Name, Fit: FitLine(sample, l.Loss, steps, 0.05))).ToArray();
            for (int l = 0; l < losses.Length; l++) errorsBySet[l][set] = Error(setFits[l].Fit);
            if (set == 0) fits = setFits;
        }
        var errors = fits.Select(f => Error(f.Fit)).ToArray();
        bool fiveOk = Math.Abs(mse - 83.6) < 1e-9 && Math.Abs(huber - 19.3) < 1e-9 && Math.Abs(mae - 5.6) < 1e-9;
        var (verdict, tests, adjusted) = Decide(fiveOk, errorsBySet[0], errorsBySet[1], errorsBySet[2]);
        var intervals = new[] { 1, 2 }.Select(l => Bootstrap.MeanInterval(errorsBySet[0].Select((e, i) => e - errorsBySet[l][i]).ToArray(), seed: (ulong)context.Seed)).ToArray();
        var c = CultureInfo.InvariantCulture;
        int weakest = adjusted[0] >= adjusted[1] ? 0 : 1;

        var result = new ExperimentResult
        {
            Claim = "MSE is dominated by outliers (83.6 vs Huber 19.3 vs MAE 5.6 on the lecture's five points); Huber and MAE fits recover the true line where MSE is pulled away.",
            Summary = string.Create(c, $"five points: MSE {mse:G4}, Huber {huber:G4}, MAE {mae:G4}; line-fit error over {dataSets} data sets (mean): MSE {errorsBySet[0].Average():F3}, " +
                $"Huber {errorsBySet[1].Average():F3}, MAE {errorsBySet[2].Average():F3}; MSE - Huber {intervals[0].Low:F3}..{intervals[0].High:F3}, MSE - MAE {intervals[1].Low:F3}..{intervals[1].High:F3} (95 % bootstrap); Holm p {adjusted[0]:G3}, {adjusted[1]:G3}"),
            Outcome = verdict,
            Source = new ClaimSource("The course's lecture on loss functions (MSE, MAE, Huber)",
                "MSE squares the errors, so one outlier dominates it (83.6 on the five-point example); MAE and Huber grow only linearly in large errors and are robust to outliers."),
            Design = $"Five points: the lecture's predictions and targets, MSE, Huber (delta 5) and MAE by the library's losses, compared with the lecture's numbers. Line fit: {dataSets} data sets (seeds), each {count} points y = 2x + 1 + N(0, 0.1^2), 10 % of targets shifted by +-10, " +
                $"full-batch gradient descent ({steps} steps) on each loss; error = distance of (slope, intercept) from (2, 1). Rule, fixed in advance: supported iff the five-point values match the lecture and two one-sided paired Wilcoxon tests " +
                "(Huber error < MSE error, MAE error < MSE error, paired by data set) reject at 0.05 after Holm; not supported iff the five-point values differ or a reverse one-sided test rejects after Holm; else inconclusive.",
            Test = "deterministic arithmetic (five points); Wilcoxon signed-rank, one-sided, paired by data set, Holm over the 2 comparisons; bootstrap interval of the mean paired difference",
            Statistic = tests[weakest].Statistic,
            PValue = adjusted[weakest],
            Interval = intervals[weakest],
        };
        if (context.Quick) result.Departures.Add($"Quick set: {dataSets} data sets of {count} points, {steps} steps (full: 30 data sets of 1000 points, 5000 steps).");
        result.Paragraphs.Add("The five points are the lecture's (predictions 98, 153, 199, 182, 140 against 100, 150, 200, 180, 120); the last one is an outlier with error 20, which contributes 400 of the 418 summed squared errors.");
        result.Paragraphs.Add($"Line fit: {count} points y = 2x + 1 + N(0, 0.1²) with 10% of targets shifted by ±10; full-batch gradient descent (library SGD, lr 0.05, {steps} steps) on each loss. Error is the Euclidean distance of (slope, intercept) from (2, 1).");
        result.Tables.Add(new ExperimentTable("Five-point example", ["Loss", "Value", "Lecture"],
            [["MSE", F(mse), "83.6"], ["Huber (delta 5)", F(huber), "19.3"], ["MAE", F(mae), "5.6"]]));
        result.Tables.Add(new ExperimentTable("Line fit under each loss: the first data set, and the error over all data sets", ["Loss", "Slope", "Intercept", "Error", $"mean error over {dataSets} data sets", "95 % t interval"],
            fits.Select((f, i) =>
            {
                var band = PairedTTest.MeanInterval(errorsBySet[i]);
                return (IReadOnlyList<string>)[f.Name, F(f.Fit.Slope), F(f.Fit.Intercept), F(errors[i]), F(errorsBySet[i].Average()), $"[{F(band.Low)}, {F(band.High)}]"];
            }).ToArray()));
        result.Numbers["fivePoint"] = new Dictionary<string, object> { ["mse"] = mse, ["huberDelta5"] = huber, ["mae"] = mae };
        result.Numbers["fits"] = fits.Select((f, i) => new Dictionary<string, object>
            { ["loss"] = f.Name, ["slope"] = f.Fit.Slope, ["intercept"] = f.Fit.Intercept, ["error"] = errors[i], ["errors_by_data_set"] = errorsBySet[i] }).ToArray();
        result.Numbers["p_holm"] = adjusted;

        var xs = data.Features.Select(v => (double)v).ToArray();
        var plot = Plots.Scatter("Line fits with 10% outliers", "x", "y", xs, data.Targets!.Select(v => (double)v).ToArray());
        var lineSeries = new List<Series>();
        foreach (var (name, fit) in fits.Append(("true line", (trueSlope, trueIntercept))))
        {
            var line = plot.Add.ScatterLine(new double[] { -1, 1 }, new[] { fit.Item2 - fit.Item1, fit.Item2 + fit.Item1 });
            line.LegendText = name;
            line.LineWidth = 2;
            lineSeries.Add(new Series(name, [-1, 1], [fit.Item2 - fit.Item1, fit.Item2 + fit.Item1]));
        }
        plot.ShowLegend();
        Plots.Save(plot, Path.Combine(context.OutputDirectory, Id + "-fits"));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + "-fits.csv"), lineSeries);
        result.Figures.Add(new ExperimentFigure(Id + "-fits.png", "Data (points) and the lines fitted under MSE, Huber and MAE, with the true line."));
        return result;
    }

    /// <summary>
    /// The pre-stated rule: the five-point values must match, and the Huber and MAE line-fit errors must be below MSE's by
    /// one-sided paired Wilcoxon tests, Holm-adjusted; a reverse one-sided test that rejects (or a mismatch) means not supported.
    /// </summary>
    internal static (Verdict Verdict, TestResult[] Tests, double[] Adjusted) Decide(bool fivePointsMatch, IReadOnlyList<double> mse,
        IReadOnlyList<double> huber, IReadOnlyList<double> mae)
    {
        var tests = new[] { WilcoxonSignedRank.Test(huber, mse, Alternative.Less), WilcoxonSignedRank.Test(mae, mse, Alternative.Less) };
        var adjusted = Holm.Adjust(tests.Select(t => t.PValue).ToArray());
        var reverse = Holm.Adjust([WilcoxonSignedRank.Test(huber, mse, Alternative.Greater).PValue, WilcoxonSignedRank.Test(mae, mse, Alternative.Greater).PValue]);
        var verdict = !fivePointsMatch || reverse.Any(p => p < 0.05) ? Verdict.NotSupported
            : adjusted.All(p => p < 0.05) ? Verdict.Supported
            : Verdict.Inconclusive;
        return (verdict, tests, adjusted);
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
