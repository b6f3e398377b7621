using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Reports;
using Descent.Analysis;
using Descent.Lab.Statistics;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 10: warm restarts (SGDR, Loshchilov and Hutter, ICLR 2017) raise the learning rate again and so inject energy. The
/// source's setting: momentum SGD sitting in a sharp, shallow local minimum, with a wide, deeper (global) minimum beyond a barrier.
/// Every seed runs SGDR and a monotone cosine decay of the same length and peak on the same gradient-noise stream, so the
/// comparison of "ended in the wide basin" is paired (McNemar), over peak rates below, at and above the chapter's threshold
/// 2/(lambda+1), three noise levels, heavy ball and plain SGD; Holm corrects the 18 comparisons.
/// </summary>
public sealed class WarmRestartsEscapeExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 10;

    /// <inheritdoc />
    public string Id => "warm-restarts-escape";

    /// <inheritdoc />
    public string Title => "Warm restarts inject energy: escaping a sharp minimum";

    private const double SharpDepth = 0.6, SharpWidth = 0.15, WideDepth = 1.0, WideWidth = 0.8, Confinement = 0.02;

    /// <summary>The potential: a sharp, shallow Gaussian well at -1 (depth 0.6, width 0.15), a wide, deeper one at 1.5 (depth 1, width 0.8), a weak confining 0.02 x^2.</summary>
    public static double Value(double x) =>
        -SharpDepth * Math.Exp(-(x + 1) * (x + 1) / (2 * SharpWidth * SharpWidth))
        - WideDepth * Math.Exp(-(x - 1.5) * (x - 1.5) / (2 * WideWidth * WideWidth)) + Confinement * x * x;

    /// <summary>The derivative of <see cref="Value"/>.</summary>
    public static double Derivative(double x) =>
        SharpDepth * (x + 1) / (SharpWidth * SharpWidth) * Math.Exp(-(x + 1) * (x + 1) / (2 * SharpWidth * SharpWidth))
        + WideDepth * (x - 1.5) / (WideWidth * WideWidth) * Math.Exp(-(x - 1.5) * (x - 1.5) / (2 * WideWidth * WideWidth)) + 2 * Confinement * x;

    /// <summary>The barrier top between the basins (the maximum of the potential between them).</summary>
    public static double Saddle() => Argmax(-1, 1.5);

    /// <summary>The sharp local minimum (near -1) and the wide global minimum (near 1.5), located by golden-section search.</summary>
    public static (double Sharp, double Wide) Minima() => (Argmin(-1.3, -0.7), Argmin(0.8, 2.2));

    /// <summary>The curvature f''(x) by central differences.</summary>
    public static double Curvature(double x) => (Derivative(x + 1e-5) - Derivative(x - 1e-5)) / 2e-5;

    private static double Argmin(double a, double b)
    {
        double g = (Math.Sqrt(5) - 1) / 2;
        for (int i = 0; i < 200; i++)
        {
            double c = b - g * (b - a), d = a + g * (b - a);
            if (Value(c) < Value(d)) b = d; else a = c;
        }
        return (a + b) / 2;
    }

    private static double Argmax(double a, double b)
    {
        double best = a, bestValue = double.NegativeInfinity;
        for (int i = 0; i <= 25_000; i++)
        {
            double x = a + (b - a) * i / 25_000;
            if (Value(x) > bestValue) { bestValue = Value(x); best = x; }
        }
        return best;
    }

    /// <summary>One cell of the design: method (momentum), peak rate and noise; the per-seed outcomes of both schedules and the energy at the restarts.</summary>
    public sealed record Cell(string Method, double Momentum, double PeakRate, string RateLabel, double Noise, bool[] Sgdr, bool[] Cosine,
        double[] SgdrEnergyBefore, double[] SgdrEnergyAfter, double[] CosineEnergyBefore, double[] CosineEnergyAfter);

    /// <summary>
    /// Runs the library's SGD (PyTorch momentum form) from the sharp minimum, gradient plus N(0, noise^2), for each seed under
    /// <paramref name="schedule"/>; returns per seed whether the final point lies beyond the saddle, and the mean energy
    /// <c>f(x) + v^2/2</c> with <c>v = (x_t - x_(t-1))/sqrt(eta_t)</c> just before and 10 steps after each multiple of <paramref name="period"/>.
    /// The noise stream of seed s is the same under every schedule (paired design).
    /// </summary>
    public static (bool[] Wide, double[] EnergyBefore, double[] EnergyAfter) Run(ISchedule schedule, double peakRate, double momentum,
        double noise, int steps, int period, int seeds, ulong seed)
    {
        double saddle = Saddle(), start = Minima().Sharp;
        int restarts = steps / period - 1;
        var wide = new bool[seeds];
        var before = new double[Math.Max(restarts, 0)];
        var after = new double[Math.Max(restarts, 0)];
        var x = new double[1];
        var g = new double[1];
        for (int s = 0; s < seeds; s++)
        {
            var random = new SeededRandom(SeededRandom.Hash(seed, (ulong)s, 10));
            x[0] = start;
            var optimizer = Optim.Sgd<double>(peakRate, momentum: momentum, learningRateSchedule: schedule);
            optimizer.AddGroup(new Parameter<double>("x", x, g));
            for (int t = 0; t < steps; t++)
            {
                double previous = x[0];
                g[0] = Derivative(x[0]) + noise * random.NextGaussian();
                optimizer.Step();
                int k = (t + 1) / period - 1, offset = (t + 1) % period;
                if (k >= 0 && k < restarts && (offset == 0 || offset == 10))
                {
                    double eta = Math.Max(Schedule.LearningRate(schedule, peakRate, t), 1e-12);
                    double v = (x[0] - previous) / Math.Sqrt(eta);
                    double energy = Value(x[0]) + v * v / 2;
                    if (offset == 0) before[k] += energy / seeds; else after[k] += energy / seeds;
                }
            }
            wide[s] = x[0] > saddle;
        }
        return (wide, before, after);
    }

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int cycles = 4, period = context.Quick ? 250 : 500, steps = cycles * period;
        int seeds = context.Quick ? 100 : 1000;
        const double alpha = 0.05;
        var (sharp, wideMin) = Minima();
        double lambda = Curvature(sharp), saddle = Saddle();
        double threshold = 2 / (lambda + 1);
        var rates = new (string Label, double Rate)[] { ("0.5 x threshold", 0.5 * threshold), ("at threshold", threshold), ("2 x threshold", 2 * threshold) };
        double[] noises = [0.5, 1, 2];
        var methods = new (string Name, double Momentum)[] { ("heavy ball (mu 0.9)", 0.9), ("plain SGD", 0) };
        var cells = new List<Cell>();
        foreach (var (name, momentum) in methods)
            foreach (var (label, rate) in rates)
                foreach (double noise in noises)
                {
                    ulong cellSeed = (ulong)context.Seed + 10;
                    var sgdr = Run(new WarmRestarts(period), rate, momentum, noise, steps, period, seeds, cellSeed);
                    var cosine = Run(new Cosine(steps), rate, momentum, noise, steps, period, seeds, cellSeed);
                    cells.Add(new Cell(name, momentum, rate, label, noise, sgdr.Wide, cosine.Wide, sgdr.EnergyBefore, sgdr.EnergyAfter, cosine.EnergyBefore, cosine.EnergyAfter));
                }
        var tests = cells.Select(c =>
        {
            var (onlySgdr, onlyCosine) = McNemar.Discordant(c.Sgdr, c.Cosine);
            return McNemar.Exact(onlySgdr, onlyCosine, Alternative.TwoSided, seeds);
        }).ToArray();
        double[] adjusted = Holm.Adjust(tests.Select(t => t.PValue).ToArray());
        var rows = new List<IReadOnlyList<string>>();
        var numbers = new List<Dictionary<string, object>>();
        int heavyCells = 0, heavySupport = 0, heavyAgainst = 0, heavyRuledOut = 0;
        for (int i = 0; i < cells.Count; i++)
        {
            var c = cells[i];
            double pS = c.Sgdr.Count(b => b) / (double)seeds, pC = c.Cosine.Count(b => b) / (double)seeds;
            var (b, cc) = McNemar.Discordant(c.Sgdr, c.Cosine);
            double diff = (b - cc) / (double)seeds;
            double se = Math.Sqrt(Math.Max(b + cc - (double)(b - cc) * (b - cc) / seeds, 0)) / seeds;
            double z = Normal.Quantile(0.975);
            var ci = new Interval(diff - z * se, diff + z * se, 0.95);
            bool significant = adjusted[i] <= alpha;
            if (c.Momentum > 0)
            {
                heavyCells++;
                if (significant && diff > 0) heavySupport++;
                if (significant && diff < 0) heavyAgainst++;
                if (!significant && ci.High < 0.05) heavyRuledOut++;
            }
            rows.Add([c.Method, c.RateLabel, F(c.PeakRate), F(c.Noise), pS.ToString("F3", CultureInfo.InvariantCulture), pC.ToString("F3", CultureInfo.InvariantCulture),
                $"{b} / {cc}", ci.ToString("F3"), adjusted[i].ToString("G3", CultureInfo.InvariantCulture), c.SgdrEnergyAfter.Length == 0 ? "" :
                string.Join("; ", c.SgdrEnergyBefore.Zip(c.SgdrEnergyAfter, (x, y) => $"{F(x)}->{F(y)}"))]);
            numbers.Add(new Dictionary<string, object>
            {
                ["method"] = c.Method, ["momentum"] = c.Momentum, ["peak_rate"] = c.PeakRate, ["rate"] = c.RateLabel, ["noise"] = c.Noise,
                ["wide_fraction_sgdr"] = pS, ["wide_fraction_cosine"] = pC, ["only_sgdr"] = b, ["only_cosine"] = cc,
                ["difference"] = diff, ["interval_low"] = ci.Low, ["interval_high"] = ci.High,
                ["p_value"] = tests[i].PValue, ["p_holm"] = adjusted[i],
                ["energy_before_restart_sgdr"] = c.SgdrEnergyBefore, ["energy_after_restart_sgdr"] = c.SgdrEnergyAfter,
                ["energy_before_restart_cosine"] = c.CosineEnergyBefore, ["energy_after_restart_cosine"] = c.CosineEnergyAfter,
            });
        }
        Verdict verdict = heavySupport * 2 > heavyCells && heavyAgainst == 0 ? Verdict.Supported
            : heavySupport == 0 && heavyRuledOut == heavyCells ? Verdict.NotSupported : Verdict.Inconclusive;
        int best = Enumerable.Range(0, cells.Count).Where(i => cells[i].Momentum > 0).OrderBy(i => adjusted[i]).First();

        string file = Path.Combine(context.OutputDirectory, Id + "-fractions");
        var labels = cells.Select(c => $"{(c.Momentum > 0 ? "HB" : "SGD")} {c.RateLabel.Replace(" x threshold", "x", StringComparison.Ordinal).Replace("at threshold", "1x", StringComparison.Ordinal)} s{F(c.Noise)}").ToArray();
        var differences = numbers.Select(n => (double)n["difference"]).ToArray();
        var plot = Plots.Bar($"SGDR minus cosine: paired difference in P(wide basin), {seeds} seeds per cell", "difference of proportions", labels, differences);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 60;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        for (int i = 0; i < cells.Count; i++)
        {
            var n = numbers[i];
            var bar = plot.Add.Line(i, (double)n["interval_low"], i, (double)n["interval_high"]);
            bar.LineWidth = 2;
            bar.Color = ScottPlot.Colors.Black;
        }
        Plots.Save(plot, file, 1000, 600);
        ResultsFiles.WriteCsv(file + ".csv", ["cell", "difference", "low", "high", "p_holm"],
            [Enumerable.Range(0, cells.Count).Select(i => (double)i).ToArray(), differences,
             numbers.Select(n => (double)n["interval_low"]).ToArray(), numbers.Select(n => (double)n["interval_high"]).ToArray(), adjusted]);
        var xs = Enumerable.Range(0, 401).Select(i => -2.5 + 5.0 * i / 400).ToArray();
        string potFile = Path.Combine(context.OutputDirectory, Id + "-potential");
        var pot = Plots.Line("The potential: sharp shallow well at -1, wide deeper well at 1.5", "x", "f(x)", [new Series("f", xs, xs.Select(Value).ToArray())]);
        Plots.MarkX(pot, saddle, Plots.Palette(3), $"barrier top x = {saddle:F2}");
        Plots.Save(pot, potFile);

        var result = new ExperimentResult
        {
            Claim = "Warm restarts re-inject energy: momentum SGD sitting in a sharp, shallow local minimum ends in a wide, deeper basin more often under SGDR than under a monotone decay of the same length and peak rate.",
            Summary = $"heavy ball: SGDR beat cosine significantly (McNemar, Holm) in {heavySupport} of {heavyCells} cells, cosine beat SGDR in {heavyAgainst}, a gain above 0.05 ruled out in {heavyRuledOut}; " +
                      $"strongest cell {cells[best].RateLabel}, noise {F(cells[best].Noise)}: SGDR {(double)numbers[best]["wide_fraction_sgdr"]:F3} vs cosine {(double)numbers[best]["wide_fraction_cosine"]:F3} (Holm p {adjusted[best]:G3})",
            Outcome = verdict,
            Source = new ClaimSource("The course's chapter on learning-rate schedules (warm restarts); Loshchilov and Hutter, SGDR, ICLR 2017",
                "Each restart raises the learning rate again and injects energy, so momentum SGD can leave a sharp, shallow local minimum for a wide one."),
            Design = $"1-D potential with a sharp, shallow local minimum at {sharp:F3} (curvature lambda = {lambda:F1}, depth below the barrier {Value(saddle) - Value(sharp):F3}) and a wide global minimum at {wideMin:F3} (barrier from that side {Value(saddle) - Value(wideMin):F3}); " +
                     $"start at the sharp minimum; the library's SGD (PyTorch momentum form) with gradient + N(0, sigma^2); {steps} steps; SGDR = {cycles} cosine cycles of {period} steps, cosine = one decay over {steps} steps, both with the same peak rate; " +
                     $"peak rates 0.5, 1 and 2 times the threshold 2/(lambda+1) = {threshold:F4}; sigma in {{0.5, 1, 2}}; heavy ball (mu 0.9) and plain SGD; {seeds} seeds per cell, each seed's noise stream shared by both schedules. " +
                     $"Metric: the run ends beyond the barrier top x = {saddle:F3}. Rule (alpha {alpha}, Holm over all 18 cells): supported if SGDR beats cosine in a majority of the 9 heavy-ball cells and cosine beats SGDR in none; not supported if no heavy-ball cell shows a significant gain and every heavy-ball interval excludes a gain of 0.05; otherwise inconclusive. " +
                     "The mean energy f + v^2/2 (v = displacement / sqrt(eta_t)) is logged at the end of each cycle and 10 steps into the next.",
            Test = "McNemar exact (binomial) on the discordant seeds per cell, two-sided, Holm-corrected over 18 cells; 95 % Wald interval of the paired difference of proportions",
            Statistic = tests[best].Statistic,
            PValue = adjusted[best],
            Interval = new Interval((double)numbers[best]["interval_low"], (double)numbers[best]["interval_high"], 0.95),
        };
        result.Departures.Add("A 1-D potential stands in for a network's loss surface, so 'sharp' and 'wide' are exact (curvatures known) and thousands of paired seeds are affordable.");
        result.Departures.Add("Gradient noise is additive Gaussian with a fixed sigma, not minibatch noise whose scale depends on the position.");
        if (context.Quick) result.Departures.Add($"Quick set: {seeds} seeds and {period}-step cycles (full: 1000 seeds, 500-step cycles).");
        result.Numbers["seeds"] = seeds;
        result.Numbers["steps"] = steps;
        result.Numbers["sharp_curvature"] = lambda;
        result.Numbers["threshold"] = threshold;
        result.Numbers["cells"] = numbers;
        result.Paragraphs.Add("The stability edge of heavy ball with mu = 0.9 on curvature lambda is 2(1+mu)/lambda, 3.8 times the plain-SGD edge 2/lambda; the threshold 2/(lambda+1) is the chapter's and is applied to both methods as stated.");
        result.Tables.Add(new ExperimentTable("Paired comparison per cell: fraction ending in the wide basin; discordant seeds (only SGDR / only cosine); 95 % interval of the difference; Holm-adjusted p; SGDR energy before -> after each restart",
            ["method", "peak", "rate", "sigma", "SGDR", "cosine", "discordant", "difference CI", "p (Holm)", "energy at restarts (SGDR)"], rows));
        result.Figures.Add(new ExperimentFigure(Id + "-fractions.png", "SGDR minus cosine in the fraction of seeds ending in the wide basin, per cell, with 95 % intervals (black)."));
        result.Figures.Add(new ExperimentFigure(Id + "-potential.png", "The potential with the barrier top marked."));
        return result;
    }

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
