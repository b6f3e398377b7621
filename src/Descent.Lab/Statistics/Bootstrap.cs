using Descent.Lab.Data;

namespace Descent.Lab.Statistics;

/// <summary>
/// The bootstrap percentile interval (Efron): resample the n units (seeds, or pairs for paired data) with replacement from a
/// seeded <see cref="SeededRandom"/>, recompute the statistic, and take the (1 - level)/2 and (1 + level)/2 quantiles of the
/// replicates (linear interpolation between order statistics, NumPy's default). The same seed gives the same interval.
/// </summary>
public static class Bootstrap
{
    /// <summary>
    /// The percentile interval of <paramref name="statistic"/>, which receives the resampled unit indices (length n; units may repeat).
    /// Replicates where the statistic is NaN (e.g. a rank correlation of a resample with one distinct value) are dropped.
    /// </summary>
    public static Interval Percentile(int units, Func<int[], double> statistic, int resamples = 2000, ulong seed = 1, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (units < 1) throw new ArgumentOutOfRangeException(nameof(units), units, "at least one unit is needed.");
        if (resamples < 10) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "use at least 10 resamples.");
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "level must be in (0, 1).");
        var random = new SeededRandom(seed);
        var index = new int[units];
        var replicates = new List<double>(resamples);
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < units; i++) index[i] = random.NextInt(units);
            double v = statistic(index);
            if (!double.IsNaN(v)) replicates.Add(v);
        }
        if (replicates.Count == 0) return new Interval(double.NaN, double.NaN, level);
        replicates.Sort();
        return new Interval(Quantile(replicates, (1 - level) / 2), Quantile(replicates, (1 + level) / 2), level);
    }

    /// <summary>The percentile interval of the mean of <paramref name="values"/>.</summary>
    public static Interval MeanInterval(IReadOnlyList<double> values, int resamples = 2000, ulong seed = 1, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Percentile(values.Count, idx => { double s = 0; foreach (int i in idx) s += values[i]; return s / idx.Length; }, resamples, seed, level);
    }

    /// <summary>The q-quantile of sorted values with linear interpolation (NumPy's default, "type 7").</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("no values.", nameof(sorted));
        double h = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
