namespace Descent.Lab.Statistics;

/// <summary>
/// The paired t-test on differences <c>d_i = a_i - b_i</c> of runs that share their noise (same seed), with the Student-t
/// confidence interval for the mean difference. With a <paramref name="margin"/> it tests <c>mean(d) - margin</c>, the form of a
/// non-inferiority test (H0: mean(d) &lt;= -margin against mean(d) &gt; -margin is <c>Test(a, b, Alternative.Greater, -margin)</c>).
/// </summary>
public static class PairedTTest
{
    /// <summary>Runs the test; the statistic is t, the estimate the mean difference, the interval two-sided at <paramref name="level"/>.</summary>
    public static TestResult Test(IReadOnlyList<double> a, IReadOnlyList<double> b, Alternative alternative = Alternative.TwoSided,
        double margin = 0, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"The paired samples have {a.Count} and {b.Count} values.", nameof(b));
        var d = new double[a.Count];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        return OneSample(d, alternative, margin, level);
    }

    /// <summary>The one-sample t-test of <c>mean(x) = nullValue</c>.</summary>
    public static TestResult OneSample(IReadOnlyList<double> x, Alternative alternative = Alternative.TwoSided, double nullValue = 0, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count < 2) throw new ArgumentException($"A t-test needs at least 2 values; got {x.Count}.", nameof(x));
        int n = x.Count;
        double mean = x.Average();
        double ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        double sd = Math.Sqrt(ss / (n - 1));
        double se = sd / Math.Sqrt(n);
        double df = n - 1;
        double t = (mean - nullValue) / se;
        double p;
        if (se == 0) p = mean == nullValue ? 1 : alternative switch { Alternative.Greater => mean > nullValue ? 0 : 1, Alternative.Less => mean < nullValue ? 0 : 1, _ => 0 };
        else p = alternative switch
        {
            Alternative.Greater => StudentT.Survival(t, df),
            Alternative.Less => StudentT.Cdf(t, df),
            _ => StudentT.TwoSidedP(t, df),
        };
        double h = StudentT.CriticalValue(level, df) * se;
        return new TestResult("paired t", t, p, mean, new Interval(mean - h, mean + h, level));
    }

    /// <summary>The Student-t confidence interval for the mean of <paramref name="x"/> (the band over seeds).</summary>
    public static Interval MeanInterval(IReadOnlyList<double> x, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count < 2) throw new ArgumentException($"An interval needs at least 2 values; got {x.Count}.", nameof(x));
        double mean = x.Average(), ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        double h = StudentT.CriticalValue(level, x.Count - 1) * Math.Sqrt(ss / (x.Count - 1) / x.Count);
        return new Interval(mean - h, mean + h, level);
    }
}
