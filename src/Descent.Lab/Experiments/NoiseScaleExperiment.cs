using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Problems;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 9: the linear scaling rule on a noisy quadratic. Mini-batch noise is modelled as Gaussian gradient noise of
/// standard deviation <c>sigma / sqrt(B)</c> (the mean of B independent per-sample noises). Compares (B, lr), (kB, k lr) and
/// (kB, lr) per sample seen, and a growing batch under <c>batch(...)</c> (eta_t = g B_t) against cosine at equal samples.
/// </summary>
public sealed class NoiseScaleExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 9;
    /// <inheritdoc />
    public string Id => "noise-scale";
    /// <inheritdoc />
    public string Title => "Linear scaling rule and batch-coupled schedules on a noisy quadratic";

    private const double Sigma = 1.0;

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int seeds = context.Quick ? 8 : 32, samples = context.Quick ? 6400 : 25600;
        const int B = 8, K = 4;
        const double Lr = 0.05;
        var problem = new Quadratic(Quadratic.LogSpacedSpectrum(10, 10), seed: (ulong)context.Seed);
        context.Log($"{Id}: 10-d quadratic (kappa 10), {samples} samples, {seeds} seeds");

        var configs = new (string Name, int Batch, double Lr)[] { ($"B={B}, lr={Lr}", B, Lr), ($"B={K * B}, lr={K * Lr}", K * B, K * Lr), ($"B={K * B}, lr={Lr}", K * B, Lr) };
        var curves = new List<Series>();
        var finals = new double[configs.Length];
        var means = new double[configs.Length];
        // Per configuration and seed: the run's mean loss and its final (tail) loss. Seed s draws the same noise stream in
        // every configuration, so the three configurations are compared paired by seed.
        var runMeans = new double[configs.Length][];
        var runFinals = new double[configs.Length][];
        for (int c = 0; c < configs.Length; c++)
        {
            var (name, batch, lr) = configs[c];
            int steps = samples / batch;
            var schedule = new Constant(1);
            var runs = Curves(problem, $"sgd(lr={lr.ToString(CultureInfo.InvariantCulture)})", schedule, _ => batch, steps, seeds, context.Seed);
            var mean = Mean(runs);
            var x = Enumerable.Range(1, steps).Select(t => (double)t * batch).ToArray();
            curves.Add(new Series(name, x, mean));
            finals[c] = TailMean(mean);
            means[c] = mean.Average();
            runMeans[c] = runs.Select(r => r.Average()).ToArray();
            runFinals[c] = runs.Select(TailMean).ToArray();
        }

        // Growing batch: batch doubles at 1/3 and 2/3 of the steps, lr = g B_t; cosine with the base batch at equal samples.
        const int b0 = B;
        int third = samples / (b0 * 7); // steps per third with batch b0, 2 b0, 4 b0: samples = b0 * third * (1 + 2 + 4)
        int n = 3 * third;
        var growth = ScheduleText.Parse($"batch(multistep([{third}, {2 * third}], gamma=2), base={b0})");
        var coupled = (BatchCoupled)growth;
        var growing = MeanCurveOf(problem, $"sgd(lr={Lr.ToString(CultureInfo.InvariantCulture)})", coupled, t => (int)coupled.BatchSizeAt(t), n, seeds, context.Seed + 5000);
        int cosineSteps = b0 * third * 7 / b0;
        var cosine = MeanCurveOf(problem, $"sgd(lr={(2 * Lr).ToString(CultureInfo.InvariantCulture)})", ScheduleText.Parse($"cosine(total={cosineSteps})"), _ => b0, cosineSteps, seeds, context.Seed + 6000);
        var growingX = new double[n];
        double seen = 0;
        for (int t = 0; t < n; t++) { seen += coupled.BatchSizeAt(t); growingX[t] = seen; }
        var cosineX = Enumerable.Range(1, cosineSteps).Select(t => (double)t * b0).ToArray();
        double growingFinal = TailMean(growing), cosineFinal = TailMean(cosine);

        Plots.Save(Plots.Line($"Linear scaling rule, noisy quadratic ({seeds} seeds)", "samples seen", "f(x) - f*", curves, logY: true),
            Path.Combine(context.OutputDirectory, Id));
        var batchSeries = new[] { new Series($"batch(x2 at 1/3, 2/3), lr = {Lr}/{b0} B_t", growingX, growing), new Series($"cosine, B={b0}, peak lr={2 * Lr}", cosineX, cosine) };
        Plots.Save(Plots.Line("Growing batch (eta = g B_t) vs cosine, equal samples", "samples seen", "f(x) - f*", batchSeries, logY: true),
            Path.Combine(context.OutputDirectory, Id + "-batch"));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), curves);

        double scaledRatio = finals[1] / finals[0], unscaledRatio = means[2] / means[0], scaledMeanRatio = means[1] / means[0];
        var decision = Decide(runMeans[0], runMeans[1], runFinals[0], runFinals[1], runMeans[2]);
        var ci = CultureInfo.InvariantCulture;
        string Ratio(Statistics.Interval i) => string.Create(ci, $"[{Math.Exp(i.Low):G3}, {Math.Exp(i.High):G3}]");
        var result = new ExperimentResult
        {
            Claim = "Linear scaling rule: with k times the batch and k times the learning rate, SGD tracks the small-batch run per sample seen, while k times the batch at the same rate is slower per sample.",
            Summary = string.Create(ci, $"mean loss over the run, relative to (B,lr): (kB,k lr) {scaledMeanRatio:G3} (90 % CI of the paired ratio {Ratio(decision.ScaledMean.Interval!.Value)}), " +
                $"(kB,lr) {unscaledRatio:G3} (95 % CI {Ratio(decision.Unscaled.Interval!.Value)}); final (kB,k lr)/(B,lr) {scaledRatio:G3} (90 % CI {Ratio(decision.ScaledFinal.Interval!.Value)}); " +
                $"growing batch final {growingFinal:G3} vs cosine {cosineFinal:G3}"),
            Outcome = decision.Verdict,
            Source = new ClaimSource("The course's chapter on noise scale and batch size; Goyal et al. 2017 (linear scaling rule); Smith and Le 2018",
                "When the minibatch size is multiplied by k, multiply the learning rate by k: the noise scale eta/B, and with it the trajectory per sample seen, stays the same."),
            Design = $"10-d rotated quadratic, gradient noise sigma/sqrt(B), plain SGD; {seeds} seeds, seed s drawing the same noise stream in every configuration (paired). " +
                $"Per seed the ratio of each configuration's loss to (B, lr)'s, on a log scale. Rule, fixed in advance: equivalence within a factor {EquivalenceFactor} " +
                $"(two one-sided paired t-tests, TOST, on log(mean loss) and on log(final loss) of (kB, k lr) vs (B, lr)) and superiority of (B, lr) over (kB, lr) by more than the same factor " +
                $"(one-sided paired t on log(mean loss)); Holm over the 3; supported iff all 3 reject at 0.05; not supported iff a 95 % interval lies wholly on the wrong side of its bound " +
                $"(scaled ratio outside the band, or the unscaled slowdown below the factor); else inconclusive.",
            Test = "paired t on log ratios across seeds: TOST (equivalence, factor 1.5) for the scaled run's mean and final loss, one-sided superiority for the unscaled run's slowdown; Holm over the 3",
            Statistic = decision.Weakest.Statistic,
            PValue = decision.Adjusted.Max(),
            Interval = decision.ScaledMean.Interval,
        };
        result.Paragraphs.Add(string.Create(ci, $"A 10-d rotated quadratic with eigenvalues log-spaced from 1 to 0.1, started at 0; the gradient gets Gaussian noise of standard deviation {Sigma}/sqrt(B). Plain SGD; every curve is the mean of f - f* over {seeds} seeds against samples seen (k = {K}). 'Final' is the mean over the last 10% of the run; 'mean' averages the whole curve (speed per sample)."));
        result.Paragraphs.Add(string.Create(ci, $"Growing batch: batch({growth}) with base lr {Lr} (so eta_t = {Lr}/{b0} * B_t, the noise scale eta/B stays constant) against cosine with batch {b0} and peak lr {2 * Lr}, both over {samples} samples. The batch-coupled schedule keeps the noise scale constant, so it ends at the noise floor of eta/B, while cosine anneals the noise away: final {growingFinal:G3} vs {cosineFinal:G3}."));
        result.Tables.Add(new ExperimentTable("Per configuration", ["run", "steps", "mean loss", "final loss"],
            configs.Select((c, i) => (IReadOnlyList<string>)[c.Name, (samples / c.Batch).ToString(ci), means[i].ToString("G4", ci), finals[i].ToString("G4", ci)])
                .Append([growth.ToString()!, n.ToString(ci), growing.Average().ToString("G4", ci), growingFinal.ToString("G4", ci)])
                .Append([$"cosine(total={cosineSteps})", cosineSteps.ToString(ci), cosine.Average().ToString("G4", ci), cosineFinal.ToString("G4", ci)]).ToArray()));
        result.Figures.Add(new ExperimentFigure(Id + ".png", "f - f* against samples seen for (B, lr), (kB, k lr), (kB, lr)."));
        result.Figures.Add(new ExperimentFigure(Id + "-batch.png", "Growing batch with eta_t = g B_t against cosine at equal samples."));
        result.Numbers["p_holm"] = decision.Adjusted;
        result.Numbers["final_loss"] = finals;
        result.Numbers["mean_loss"] = means;
        result.Numbers["scaled_final_ratio"] = scaledRatio;
        result.Numbers["scaled_mean_ratio"] = scaledMeanRatio;
        result.Numbers["unscaled_mean_ratio"] = unscaledRatio;
        result.Numbers["growing_batch_final"] = growingFinal;
        result.Numbers["cosine_final"] = cosineFinal;
        return result;
    }

    private static double TailMean(double[] curve)
    {
        int from = curve.Length - Math.Max(1, curve.Length / 10);
        return curve.AsSpan(from).ToArray().Average();
    }

    /// <summary>The factor within which the scaled run counts as tracking the small-batch run (and beyond which the unscaled one is slower).</summary>
    internal const double EquivalenceFactor = 1.5;

    /// <summary>The outcome of the pre-stated rule and its three tests.</summary>
    internal sealed record Decision(Verdict Verdict, TestResult ScaledMean, TestResult ScaledFinal, TestResult Unscaled, double[] Adjusted, TestResult Weakest);

    /// <summary>
    /// The pre-stated rule on per-seed losses paired by seed: TOST equivalence (factor <see cref="EquivalenceFactor"/>) of the
    /// scaled run's mean and final loss to the base run's, and a one-sided test that the unscaled run's mean loss is more than
    /// that factor above the base run's; Holm over the three p-values. Equivalence intervals are 90 % (the TOST convention),
    /// the superiority interval 95 %.
    /// </summary>
    internal static Decision Decide(IReadOnlyList<double> baseMean, IReadOnlyList<double> scaledMean, IReadOnlyList<double> baseFinal,
        IReadOnlyList<double> scaledFinal, IReadOnlyList<double> unscaledMean)
    {
        double bound = Math.Log(EquivalenceFactor);
        TestResult Tost(IReadOnlyList<double> a, IReadOnlyList<double> b)
        {
            var logRatio = Log(a, b);
            var above = PairedTTest.OneSample(logRatio, Alternative.Greater, -bound, level: 0.90);
            var below = PairedTTest.OneSample(logRatio, Alternative.Less, bound, level: 0.90);
            return new TestResult("TOST (paired t, log ratio)", Math.Min(above.Statistic, -below.Statistic), Math.Max(above.PValue, below.PValue), above.Estimate, above.Interval);
        }
        var scaledMeanTest = Tost(scaledMean, baseMean);
        var scaledFinalTest = Tost(scaledFinal, baseFinal);
        var unscaledTest = PairedTTest.OneSample(Log(unscaledMean, baseMean), Alternative.Greater, bound);
        var tests = new[] { scaledMeanTest, scaledFinalTest, unscaledTest };
        var adjusted = Holm.Adjust(tests.Select(t => t.PValue).ToArray());
        bool Outside(double[] logRatio)
        {
            var wide = PairedTTest.MeanInterval(logRatio);
            return wide.Low > bound || wide.High < -bound;
        }
        var verdict = adjusted.All(p => p < 0.05) ? Verdict.Supported
            : Outside(Log(scaledMean, baseMean)) || Outside(Log(scaledFinal, baseFinal)) || unscaledTest.Interval!.Value.High < bound ? Verdict.NotSupported
            : Verdict.Inconclusive;
        int weakest = Array.IndexOf(adjusted, adjusted.Max());
        return new Decision(verdict, scaledMeanTest, scaledFinalTest, unscaledTest, adjusted, tests[weakest]);
    }

    private static double[] Log(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Select((v, i) => Math.Log(v) - Math.Log(b[i])).ToArray();

    private static double[] Mean(double[][] runs)
    {
        var mean = new double[runs[0].Length];
        foreach (var run in runs)
            for (int t = 0; t < mean.Length; t++) mean[t] += run[t] / runs.Length;
        return mean;
    }

    private static double[] MeanCurveOf(Quadratic problem, string optimizer, ISchedule schedule, Func<long, int> batch, int steps, int seeds, int seed) =>
        Mean(Curves(problem, optimizer, schedule, batch, steps, seeds, seed));

    /// <summary>Per seed, f - f* after each step of SGD with gradient noise sigma / sqrt(batch(t)).</summary>
    private static double[][] Curves(Quadratic problem, string optimizer, ISchedule schedule, Func<long, int> batch, int steps, int seeds, int seed)
    {
        var curves = new double[seeds][];
        int d = problem.Dimension;
        for (int s = 0; s < seeds; s++)
        {
            var curve = curves[s] = new double[steps];
            var x = problem.InitialPoint();
            var g = new double[d];
            var opt = OptimizerCatalog.Create<double>(optimizer);
            double baseLr = opt.GetDefault(HyperparameterKey.LearningRate).Value;
            opt.Set(HyperparameterKey.LearningRate, Hyperparameter.Scaled(baseLr, schedule));
            opt.AddGroup(new Parameter<double>("x", x, g));
            var random = new SeededRandom((ulong)(seed + 7919 * s));
            for (int t = 0; t < steps; t++)
            {
                problem.Evaluate(x, g);
                double std = Sigma / Math.Sqrt(batch(t));
                for (int i = 0; i < d; i++) g[i] += std * random.NextGaussian();
                opt.Step();
                curve[t] = problem.Evaluate(x, g) - problem.MinimumValue;
            }
        }
        return curves;
    }
}
