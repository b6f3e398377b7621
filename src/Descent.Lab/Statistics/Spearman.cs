namespace Descent.Lab.Statistics;

/// <summary>Spearman's rank correlation (the Pearson correlation of average ranks) with SciPy's t-based p-value.</summary>
public static class Spearman
{
    /// <summary>rho of the paired values; NaN when either side has no spread.</summary>
    public static double Rho(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"The paired samples have {x.Count} and {y.Count} values.", nameof(y));
        return Pearson(Ranks.Average(x), Ranks.Average(y));
    }

    /// <summary>rho with the two-sided p-value of <c>t = rho sqrt((n - 2)/(1 - rho^2))</c> on n - 2 degrees of freedom (<c>scipy.stats.spearmanr</c>).</summary>
    public static TestResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double rho = Rho(x, y);
        int n = x.Count;
        if (n < 3 || double.IsNaN(rho)) return new TestResult("Spearman rho", rho, double.NaN, rho);
        double p = Math.Abs(rho) >= 1 ? 0 : StudentT.TwoSidedP(rho * Math.Sqrt((n - 2) / ((1 - rho) * (1 + rho))), n - 2);
        return new TestResult("Spearman rho", rho, p, rho);
    }

    /// <summary>The Pearson correlation; NaN when either side has no spread.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}
