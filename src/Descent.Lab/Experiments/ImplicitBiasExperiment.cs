using Descent.Lab.Data;
using Descent.Lab.Reports;
using Descent.Losses;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 12: gradient descent on the logistic loss of linearly separable data converges in direction to the hard-margin
/// SVM direction (Soudry et al., JMLR 2018). The SVM direction is computed independently by maximising the 2-D margin.
/// </summary>
public sealed class ImplicitBiasExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 12;

    /// <inheritdoc />
    public string Id => "implicit-bias";

    /// <inheritdoc />
    public string Title => "Implicit bias: logistic regression on separable data tends to the max-margin direction";

    /// <summary>
    /// The hard-margin SVM direction through the origin in 2-D: the unit vector u maximising min_i s_i u·x_i (s_i = ±1).
    /// The margin is a minimum of sinusoids in the angle, concave where positive; a dense scan followed by golden-section
    /// refinement finds its maximum. Returns the angle's unit vector and the margin.
    /// </summary>
    public static (double X, double Y, double Margin) MaxMarginDirection(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != 2 || data.Labels is null) throw new ArgumentException("A labelled 2-D data set is required.", nameof(data));
        double Margin(double a)
        {
            double c = Math.Cos(a), s = Math.Sin(a), m = double.PositiveInfinity;
            for (int i = 0; i < data.Count; i++)
            {
                double sign = data.Labels[i] == 1 ? 1 : -1;
                m = Math.Min(m, sign * (c * data.Features[2 * i] + s * data.Features[2 * i + 1]));
            }
            return m;
        }
        const int grid = 7200;
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int k = 0; k < grid; k++)
        {
            double v = Margin(2 * Math.PI * k / grid);
            if (v > bestValue) { bestValue = v; best = k; }
        }
        double lo = 2 * Math.PI * (best - 1) / grid, hi = 2 * Math.PI * (best + 1) / grid;
        double g = (Math.Sqrt(5) - 1) / 2;
        for (int it = 0; it < 100; it++)
        {
            double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
            if (Margin(a) < Margin(b)) lo = a; else hi = b;
        }
        double angle = (lo + hi) / 2;
        return (Math.Cos(angle), Math.Sin(angle), Margin(angle));
    }

    /// <summary>
    /// Full-batch SGD (the library's optimizer and BCE-with-logits loss, no bias) from w = 0 with learning rate
    /// <c>lr0 * schedule(t)</c>; returns (step, cosine to <paramref name="svm"/>, loss) at log-spaced steps.
    /// </summary>
    public static List<(long Step, double Cosine, double Loss)> Train(Dataset data, (double X, double Y) svm, double learningRate, ISchedule schedule, long steps)
    {
        int n = data.Count;
        var w = new double[2];
        var gw = new double[2];
        var logits = new double[n];
        var targets = new double[n];
        var dLogits = new double[n];
        for (int i = 0; i < n; i++) targets[i] = data.Labels![i];
        var loss = new BinaryCrossEntropyWithLogits<double>(Reduction.Mean);
        var optimizer = Optim.Sgd<double>(learningRate, learningRateSchedule: schedule);
        optimizer.AddGroup(new Parameter<double>("w", w, gw));
        var record = new List<(long, double, double)>();
        long next = 1;
        for (long t = 1; t <= steps; t++)
        {
            for (int i = 0; i < n; i++) logits[i] = w[0] * data.Features[2 * i] + w[1] * data.Features[2 * i + 1];
            double value = loss.Evaluate(logits, targets, dLogits);
            gw[0] = gw[1] = 0;
            for (int i = 0; i < n; i++)
            {
                gw[0] += dLogits[i] * data.Features[2 * i];
                gw[1] += dLogits[i] * data.Features[2 * i + 1];
            }
            optimizer.Step();
            if (t == next || t == steps)
            {
                double norm = Math.Sqrt(w[0] * w[0] + w[1] * w[1]);
                record.Add((t, (w[0] * svm.X + w[1] * svm.Y) / norm, value));
                next = Math.Max(next + 1, (long)Math.Ceiling(next * 1.25));
            }
        }
        return record;
    }

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long steps = context.Quick ? 20_000 : 500_000;
        var data = SyntheticData.LinearlySeparable2D(context.Quick ? 60 : 200, (ulong)context.Seed + 12, margin: 0.05);
        var svm = MaxMarginDirection(data);
        context.Log($"implicit-bias: SVM direction ({svm.X:F4}, {svm.Y:F4}), margin {svm.Margin:F4}");
        const double exponent = 0.75;
        var runs = new (string Name, double Lr, ISchedule Schedule)[]
        {
            ("constant lr = 1", 1.0, new Constant(1)),
            ($"lr = 4 (1 + t)^-{exponent}", 4.0, new PowerDecay(exponent)),
        };
        var series = new List<Series>();
        var rows = new List<IReadOnlyList<string>>();
        var finals = new Dictionary<string, object>();
        bool supported = true;
        const long firstCheckpoint = 10;
        var checkpoints = new List<long>();
        for (long t = firstCheckpoint; t < steps; t *= 10) checkpoints.Add(t);
        checkpoints.Add(steps);
        foreach (var (name, lr, schedule) in runs)
        {
            var rec = Train(data, (svm.X, svm.Y), lr, schedule, steps);
            var gap = rec.Select(r => Math.Max(1 - r.Cosine, 1e-16)).ToArray();
            series.Add(new Series(name, rec.Select(r => (double)r.Step).ToArray(), gap));
            double Angle(long t) => Math.Acos(Math.Clamp(rec[rec.FindIndex(r => r.Step >= t)].Cosine, -1, 1)) * 180 / Math.PI;
            var angles = checkpoints.Select(Angle).ToArray();
            double threshold = angles[0] / 2;
            bool decreasing = angles.Zip(angles.Skip(1), (a, b) => b <= a).All(x => x);
            double angleEnd = angles[^1];
            rows.Add([name, .. angles.Select(a => a.ToString("F3")), threshold.ToString("F3"), rec[^1].Loss.ToString("G3")]);
            finals[name] = new Dictionary<string, object> { ["checkpoints"] = checkpoints.ToArray(), ["angles_deg"] = angles, ["threshold_deg"] = threshold, ["cosine_final"] = rec[^1].Cosine, ["angle_deg_final"] = angleEnd, ["loss_final"] = rec[^1].Loss };
            supported &= decreasing && angleEnd < threshold;
        }
        string file = Path.Combine(context.OutputDirectory, Id + "-cosine-gap");
        Plots.Save(Plots.Line("1 - cos(w_t, w_SVM) vs step (log-log)", "step t", "1 - cosine to SVM direction", series, logY: true, logX: true), file);
        ResultsFiles.WriteSeriesCsv(file + ".csv", series);
        var pts = Plots.Scatter("Separable data and the SVM direction", "x1", "x2",
            Enumerable.Range(0, data.Count).Select(i => (double)data.Features[2 * i]).ToArray(),
            Enumerable.Range(0, data.Count).Select(i => (double)data.Features[2 * i + 1]).ToArray(), data.Labels, ["label 0", "label 1"]);
        var arrow = pts.Add.Line(0, 0, svm.X, svm.Y);
        arrow.LegendText = "SVM direction";
        arrow.LineWidth = 3;
        string dataFile = Path.Combine(context.OutputDirectory, Id + "-data");
        Plots.Save(pts, dataFile);
        var result = new ExperimentResult
        {
            Claim = "On linearly separable data, gradient descent on the logistic loss converges in direction to the hard-margin SVM solution (slowly, 1 - cos ~ 1/log^2 t).",
            Summary = string.Join("; ", rows.Select(r => $"{r[0]}: angle to SVM {r[1]} deg at t={firstCheckpoint} -> {r[^3]} deg at t={steps} (threshold {r[^2]})")) + $"; SVM margin {svm.Margin:F4}",
            Supported = supported,
            Source = new ClaimSource("The course's chapter on implicit bias; Soudry, Hoffer, Nacson, Gunasekar and Srebro, \"The Implicit Bias of Gradient Descent on Separable Data\", JMLR 2018",
                "On linearly separable data, gradient descent on the logistic loss converges in direction to the L2 max-margin (hard-margin SVM) solution, for a small enough constant step or a step decaying like t^-p with p in (1/2, 1]; the convergence is slow, 1 - cos ~ 1/log^2 t."),
            Design = $"{data.Count} linearly separable 2-D points (planted margin 0.05, seed {context.Seed + 12}); SVM direction computed independently (angle scan and golden section); full-batch gradient descent (the library's SGD, BCE with logits, no bias) from w = 0 for {steps} steps, constant lr = 1 and lr = 4 (1+t)^-{exponent} (exponent inside the chapter's (1/2, 1]). " +
                     $"Angle to the SVM direction at t = {string.Join(", ", checkpoints)}. Rule: supported iff for both schedules the angle never increases between these checkpoints and ends below half its value at t = {firstCheckpoint} (a threshold that does not hold at the first checkpoint by construction).",
            Test = "deterministic (full batch, exact gradients): the rule is evaluated on the trajectories",
        };
        result.Numbers["steps"] = steps;
        result.Numbers["svm_direction"] = new[] { svm.X, svm.Y };
        result.Numbers["svm_margin"] = svm.Margin;
        result.Numbers["runs"] = finals;
        result.Paragraphs.Add("The SVM direction is computed independently of training: the margin min_i y_i u·x_i is maximised over unit vectors u (dense angle scan, then golden-section refinement; the margin is concave in the angle where positive). Training uses the library's SGD (full batch, no bias term) and BCE-with-logits loss from w = 0; ||w|| grows like log t while the direction slowly aligns.");
        if (context.Quick) result.Departures.Add($"Quick set: {data.Count} points and {steps} steps (full: 200 points, 500,000 steps).");
        result.Tables.Add(new ExperimentTable("Angle to the SVM direction (degrees) at the checkpoints", ["schedule", .. checkpoints.Select(t => $"t = {t}"), "threshold", "loss at end"], rows));
        result.Figures.Add(new ExperimentFigure(Id + "-cosine-gap.png", "1 - cosine between w_t and the SVM direction, log-log axes."));
        result.Figures.Add(new ExperimentFigure(Id + "-data.png", "The separable data set and the independently computed max-margin direction."));
        return result;
    }
}

/// <summary>The power decay <c>(1 + t)^-p</c> as a factor schedule (the chapter's decaying step for implicit bias).</summary>
/// <param name="Exponent">p; the chapter's range is (1/2, 1].</param>
internal sealed record PowerDecay(double Exponent) : ISchedule
{
    /// <inheritdoc />
    public double At(long step) => Math.Pow(1 + step, -Exponent);
}
