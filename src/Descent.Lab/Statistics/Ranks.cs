namespace Descent.Lab.Statistics;

/// <summary>Ranks with ties given their average rank (1-based), as SciPy's <c>rankdata(method="average")</c>.</summary>
public static class Ranks
{
    /// <summary>The average ranks of <paramref name="x"/>.</summary>
    public static double[] Average(IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && x[order[j + 1]] == x[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }
}
