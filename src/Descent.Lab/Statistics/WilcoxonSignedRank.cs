namespace Descent.Lab.Statistics;

/// <summary>
/// The Wilcoxon signed-rank test on paired differences <c>d_i = a_i - b_i</c> (SciPy's <c>wilcoxon</c> defaults: zero differences
/// dropped, average ranks for ties). The p-value is exact (the null distribution of the rank sum enumerated) for up to 50 non-zero
/// differences without ties, otherwise from the normal approximation with the tie correction and no continuity correction.
/// Two-sided: the statistic is min(W+, W-); one-sided: W+.
/// </summary>
public static class WilcoxonSignedRank
{
    /// <summary>Runs the test; the estimate is the median difference.</summary>
    public static TestResult Test(IReadOnlyList<double> a, IReadOnlyList<double> b, Alternative alternative = Alternative.TwoSided)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"The paired samples have {a.Count} and {b.Count} values.", nameof(b));
        var d = new List<double>();
        for (int i = 0; i < a.Count; i++) if (a[i] - b[i] != 0) d.Add(a[i] - b[i]);
        double median = Median(Enumerable.Range(0, a.Count).Select(i => a[i] - b[i]).ToArray());
        int n = d.Count;
        if (n == 0) return new TestResult("Wilcoxon signed-rank", 0, 1, median);
        var abs = d.Select(Math.Abs).ToArray();
        var ranks = Ranks.Average(abs);
        double plus = 0, minus = 0;
        for (int i = 0; i < n; i++) { if (d[i] > 0) plus += ranks[i]; else minus += ranks[i]; }
        bool ties = abs.Distinct().Count() < n;
        double statistic = alternative == Alternative.TwoSided ? Math.Min(plus, minus) : plus;
        double p;
        if (n <= 50 && !ties)
        {
            var counts = NullCounts(n);
            double total = Math.Pow(2, n);
            double Below(int w) { double s = 0; for (int k = 0; k <= w && k < counts.Length; k++) s += counts[k]; return s / total; }
            int wPlus = (int)Math.Round(plus);
            p = alternative switch
            {
                Alternative.Greater => 1 - Below(wPlus - 1),
                Alternative.Less => Below(wPlus),
                _ => Math.Min(1, 2 * Below((int)Math.Round(statistic))),
            };
        }
        else
        {
            double mean = n * (n + 1) / 4.0;
            double variance = n * (n + 1) * (2 * n + 1) / 24.0;
            foreach (var g in abs.GroupBy(x => x)) { double t = g.Count(); variance -= (t * t * t - t) / 48; }
            double z = (statistic - mean) / Math.Sqrt(variance);
            p = alternative switch
            {
                Alternative.Greater => Normal.Survival(z),
                Alternative.Less => Normal.Cdf(z),
                _ => Math.Min(1, 2 * Normal.Survival(Math.Abs(z))),
            };
        }
        return new TestResult("Wilcoxon signed-rank", statistic, p, median);
    }

    /// <summary>counts[k] = the number of subsets of {1..n} whose sum is k (the null distribution of W+ times 2^n).</summary>
    private static double[] NullCounts(int n)
    {
        int max = n * (n + 1) / 2;
        var c = new double[max + 1];
        c[0] = 1;
        for (int r = 1; r <= n; r++)
            for (int k = max; k >= r; k--) c[k] += c[k - r];
        return c;
    }

    /// <summary>The median of <paramref name="x"/> (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count == 0) return double.NaN;
        var s = x.OrderBy(v => v).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
