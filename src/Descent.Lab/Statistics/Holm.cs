namespace Descent.Lab.Statistics;

/// <summary>
/// Holm's step-down correction for several tests (Holm 1979): controls the family-wise error rate at alpha without assuming
/// independence, and is uniformly more powerful than Bonferroni.
/// </summary>
public static class Holm
{
    /// <summary>
    /// The adjusted p-values, in the input order: sorted ascending, <c>p_(i)' = max_{j &lt;= i} min(1, (m - j + 1) p_(j))</c>
    /// (statsmodels' <c>multipletests(method="holm")</c>). Reject hypothesis i at level alpha when its adjusted p-value is &lt;= alpha.
    /// </summary>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        int m = pValues.Count;
        foreach (double p in pValues)
            if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(pValues), p, "p-values must be in [0, 1].");
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (int k = 0; k < m; k++)
        {
            running = Math.Max(running, Math.Min(1, (m - k) * pValues[order[k]]));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }
}
