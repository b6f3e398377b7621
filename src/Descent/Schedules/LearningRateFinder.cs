namespace Descent.Schedules;

/// <summary>How the LR range test moves the learning rate from start to end.</summary>
public enum RampShape
{
    /// <summary>Geometric (equal steps in log lr); fastai's default.</summary>
    Exponential,
    /// <summary>Arithmetic (Smith 2015's original linear ramp).</summary>
    Linear,
}

/// <summary>Options of the <see cref="LearningRateFinder"/>.</summary>
/// <param name="StartLearningRate">First rate; finite, &gt; 0; default 1e-7 (fastai <c>start_lr</c>).</param>
/// <param name="EndLearningRate">Last rate; finite, &gt; start; default 10 (fastai <c>end_lr</c>).</param>
/// <param name="Steps">Number of trial steps; &gt;= 2; default 100 (fastai <c>num_it</c>).</param>
/// <param name="Ramp">Exponential (default) or linear.</param>
/// <param name="Smoothing">EMA coefficient of the debiased smoothed loss; in [0, 1); default 0.98 (fastai <c>beta</c>).</param>
/// <param name="DivergenceFactor">Stop when the smoothed loss exceeds this multiple of the best smoothed loss (or is not finite); &gt; 1; default 4 (fastai <c>stop_div</c>).</param>
public sealed record LearningRateFinderOptions(double StartLearningRate = 1e-7, double EndLearningRate = 10, int Steps = 100,
    RampShape Ramp = RampShape.Exponential, double Smoothing = 0.98, double DivergenceFactor = 4)
{
    /// <summary>First rate; finite, &gt; 0; default 1e-7 (fastai <c>start_lr</c>).</summary>
    public double StartLearningRate { get; } = Check.Positive(StartLearningRate, nameof(StartLearningRate));
    /// <summary>Last rate; finite, &gt; start; default 10 (fastai <c>end_lr</c>).</summary>
    public double EndLearningRate { get; } = Check.Positive(EndLearningRate, nameof(EndLearningRate)) > StartLearningRate
        ? EndLearningRate : throw new ArgumentOutOfRangeException(nameof(EndLearningRate), EndLearningRate, "EndLearningRate must be > StartLearningRate.");
    /// <summary>Number of trial steps; &gt;= 2; default 100 (fastai <c>num_it</c>).</summary>
    public int Steps { get; } = Steps >= 2 ? Steps : throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be >= 2.");
    /// <summary>EMA coefficient of the debiased smoothed loss; in [0, 1); default 0.98 (fastai <c>beta</c>).</summary>
    public double Smoothing { get; } = Smoothing is >= 0 and < 1 ? Smoothing : throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "Smoothing must be in [0, 1).");
    /// <summary>Stop when the smoothed loss exceeds this multiple of the best smoothed loss (or is not finite); &gt; 1; default 4 (fastai <c>stop_div</c>).</summary>
    public double DivergenceFactor { get; } = double.IsFinite(DivergenceFactor) && DivergenceFactor > 1 ? DivergenceFactor : throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), DivergenceFactor, "DivergenceFactor must be finite and > 1.");

    /// <summary>The rate of trial <paramref name="i"/>.</summary>
    public double RateAt(int i)
    {
        double p = (double)i / (Steps - 1);
        return Ramp == RampShape.Exponential
            ? StartLearningRate * Math.Pow(EndLearningRate / StartLearningRate, p)
            : StartLearningRate + (EndLearningRate - StartLearningRate) * p;
    }
}

/// <summary>Suggested learning rates from one range test.</summary>
/// <param name="Valley">fastai's valley: in the longest steadily falling stretch of the smoothed loss (length n), the point n/3 + n/6 past its start.</param>
/// <param name="Steepest">The rate where the smoothed loss falls fastest against log lr.</param>
/// <param name="MinimumOverTen">The rate of the lowest smoothed loss, divided by 10.</param>
public readonly record struct LearningRateSuggestions(double Valley, double Steepest, double MinimumOverTen);

/// <summary>The trace of one range test.</summary>
public sealed record LearningRateFinderResult(double[] LearningRates, double[] Losses, double[] SmoothedLosses, bool Diverged, LearningRateSuggestions Suggestions);

/// <summary>Repeated range tests: a confidence band of the smoothed loss per rate and an interval of suggestions.</summary>
/// <param name="LearningRates">The common rates (the shortest run's).</param>
/// <param name="Mean">Mean smoothed loss per rate.</param>
/// <param name="Lower">Mean - z s / sqrt(n) per rate (z = 1.96: 95 % normal band).</param>
/// <param name="Upper">Mean + z s / sqrt(n).</param>
/// <param name="Runs">Each run's result.</param>
/// <param name="ValleyInterval">Smallest and largest valley suggestion over the runs.</param>
/// <param name="ValleyMedian">Median (geometric-middle for an even count) valley suggestion.</param>
public sealed record LearningRateFinderBand(double[] LearningRates, double[] Mean, double[] Lower, double[] Upper,
    IReadOnlyList<LearningRateFinderResult> Runs, (double Low, double High) ValleyInterval, double ValleyMedian);

/// <summary>
/// The LR range test (Smith 2015, "Cyclical learning rates", section 3.3; fastai <c>lr_find</c>): run a short training with the
/// rate ramped from tiny to huge, smooth the loss with a debiased EMA, stop once it diverges, and suggest a rate.
/// The caller supplies the training step as <c>Func&lt;double lr, double loss&gt;</c>: it must take one optimizer step at <c>lr</c>
/// and return that step's (mini-batch) loss.
/// </summary>
public static class LearningRateFinder
{
    /// <summary>Runs one range test.</summary>
    public static LearningRateFinderResult Run(Func<double, double> step, LearningRateFinderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        var o = options ?? new LearningRateFinderOptions();
        var lrs = new List<double>(o.Steps);
        var losses = new List<double>(o.Steps);
        var smoothed = new List<double>(o.Steps);
        double average = 0, best = double.PositiveInfinity;
        bool diverged = false;
        for (int i = 0; i < o.Steps; i++)
        {
            double lr = o.RateAt(i);
            double loss = step(lr);
            average = o.Smoothing * average + (1 - o.Smoothing) * loss;
            double s = average / (1 - Math.Pow(o.Smoothing, i + 1));
            lrs.Add(lr); losses.Add(loss); smoothed.Add(s);
            if (!double.IsFinite(s) || (i > 0 && s > o.DivergenceFactor * best))
            {
                diverged = true;
                break;
            }
            best = Math.Min(best, s);
        }
        var l = lrs.ToArray();
        var sm = smoothed.ToArray();
        return new LearningRateFinderResult(l, losses.ToArray(), sm, diverged, Suggest(l, sm));
    }

    /// <summary>Runs the test once per seed (<paramref name="stepForSeed"/> builds a fresh model and its step function) and summarizes.</summary>
    public static LearningRateFinderBand RunRepeated(Func<int, Func<double, double>> stepForSeed, IReadOnlyList<int> seeds, LearningRateFinderOptions? options = null, double z = 1.96)
    {
        ArgumentNullException.ThrowIfNull(stepForSeed);
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count < 1) throw new ArgumentException("Need at least one seed.", nameof(seeds));
        var runs = seeds.Select(s => Run(stepForSeed(s), options)).ToArray();
        int n = runs.Min(r => r.SmoothedLosses.Length);
        var mean = new double[n];
        var lower = new double[n];
        var upper = new double[n];
        for (int i = 0; i < n; i++)
        {
            double m = 0;
            foreach (var r in runs) m += r.SmoothedLosses[i];
            m /= runs.Length;
            double v = 0;
            foreach (var r in runs) v += (r.SmoothedLosses[i] - m) * (r.SmoothedLosses[i] - m);
            double half = runs.Length > 1 ? z * Math.Sqrt(v / (runs.Length - 1) / runs.Length) : double.NaN; // one seed: no band
            mean[i] = m; lower[i] = m - half; upper[i] = m + half;
        }
        var valleys = runs.Select(r => r.Suggestions.Valley).Order().ToArray();
        double median = valleys.Length % 2 == 1 ? valleys[valleys.Length / 2] : Math.Sqrt(valleys[valleys.Length / 2 - 1] * valleys[valleys.Length / 2]);
        return new LearningRateFinderBand(runs[0].LearningRates[..n], mean, lower, upper, runs, (valleys[0], valleys[^1]), median);
    }

    /// <summary>The three suggestions for a (rates, smoothed losses) trace.</summary>
    public static LearningRateSuggestions Suggest(ReadOnlySpan<double> lrs, ReadOnlySpan<double> smoothed)
    {
        int n = Math.Min(lrs.Length, smoothed.Length);
        if (n < 2) throw new ArgumentException("Need at least two points to suggest a rate.", nameof(lrs));
        int argMin = 0;
        for (int i = 1; i < n; i++) if (smoothed[i] < smoothed[argMin]) argMin = i;
        // Steepest: most negative d loss / d log lr (central differences inside, one-sided at the ends, as numpy.gradient).
        int steep = 0;
        double steepest = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            int a = Math.Max(0, i - 1), b = Math.Min(n - 1, i + 1);
            double g = (smoothed[b] - smoothed[a]) / (Math.Log(lrs[b]) - Math.Log(lrs[a]));
            if (g < steepest) { steepest = g; steep = i; }
        }
        return new LearningRateSuggestions(lrs[Valley(smoothed[..n])], lrs[steep], lrs[argMin] / 10);
    }

    /// <summary>fastai's valley: the longest decreasing run (longest decreasing subsequence ending at each point) and a point 1/2 of a third past its first third.</summary>
    internal static int Valley(ReadOnlySpan<double> losses)
    {
        int n = losses.Length;
        var lds = new int[n];
        Array.Fill(lds, 1);
        int maxStart = 0, maxEnd = 0;
        for (int i = 1; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
            }
            if (lds[maxEnd] < lds[i])
            {
                maxEnd = i;
                maxStart = maxEnd - lds[maxEnd];
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = maxStart + (int)sections + (int)(sections / 2);
        return Math.Clamp(idx, 0, n - 1);
    }
}
