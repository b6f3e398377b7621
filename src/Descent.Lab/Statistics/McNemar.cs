namespace Descent.Lab.Statistics;

/// <summary>
/// McNemar's test for paired binary outcomes (the same seeds under two conditions): only the discordant pairs count,
/// <c>b</c> = (A yes, B no) and <c>c</c> = (A no, B yes); under the null each discordant pair goes either way with probability 1/2.
/// </summary>
public static class McNemar
{
    /// <summary>Counts the discordant pairs of two paired boolean outcome arrays.</summary>
    public static (int OnlyA, int OnlyB) Discordant(IReadOnlyList<bool> a, IReadOnlyList<bool> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"The paired outcomes have {a.Count} and {b.Count} entries.", nameof(b));
        int onlyA = 0, onlyB = 0;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] && !b[i]) onlyA++;
            else if (!a[i] && b[i]) onlyB++;
        }
        return (onlyA, onlyB);
    }

    /// <summary>
    /// The exact test: the p-value of <c>b</c> under Binomial(b + c, 1/2) (two-sided: twice the smaller tail, capped at 1, as
    /// statsmodels' <c>mcnemar(exact=True)</c> and SciPy's <c>binomtest</c>; one-sided <see cref="Alternative.Greater"/>: P(X &gt;= b)).
    /// The statistic is b; the estimate is (b - c) / n when <paramref name="pairs"/> is given, else b - c.
    /// </summary>
    public static TestResult Exact(int onlyA, int onlyB, Alternative alternative = Alternative.TwoSided, int pairs = 0)
    {
        Check(onlyA, onlyB);
        int n = onlyA + onlyB;
        double p = alternative switch
        {
            Alternative.Greater => BinomialUpperTail(onlyA, n),
            Alternative.Less => BinomialUpperTail(onlyB, n),
            _ => Math.Min(1, 2 * BinomialUpperTail(Math.Max(onlyA, onlyB), n)),
        };
        if (n == 0) p = 1;
        return new TestResult("McNemar exact (binomial)", onlyA, p, pairs > 0 ? (double)(onlyA - onlyB) / pairs : onlyA - onlyB);
    }

    /// <summary>The chi-squared form with continuity correction: <c>(|b - c| - 1)^2 / (b + c)</c> on 1 degree of freedom (two-sided).</summary>
    public static TestResult ChiSquaredCorrected(int onlyA, int onlyB, int pairs = 0)
    {
        Check(onlyA, onlyB);
        int n = onlyA + onlyB;
        if (n == 0) return new TestResult("McNemar chi-squared (continuity-corrected)", 0, 1, 0);
        double d = Math.Max(0, Math.Abs(onlyA - onlyB) - 1.0);
        double chi = d * d / n;
        return new TestResult("McNemar chi-squared (continuity-corrected)", chi, ChiSquared.Survival(chi, 1),
            pairs > 0 ? (double)(onlyA - onlyB) / pairs : onlyA - onlyB);
    }

    /// <summary>P(X &gt;= k) for X ~ Binomial(n, 1/2), summed in log space.</summary>
    public static double BinomialUpperTail(int k, int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be >= 0.");
        if (k <= 0) return 1;
        if (k > n) return 0;
        double logHalfN = n * Math.Log(0.5), logNFact = SpecialFunctions.LogGamma(n + 1), sum = 0;
        for (int i = k; i <= n; i++)
            sum += Math.Exp(logNFact - SpecialFunctions.LogGamma(i + 1) - SpecialFunctions.LogGamma(n - i + 1) + logHalfN);
        return Math.Min(1, sum);
    }

    private static void Check(int onlyA, int onlyB)
    {
        if (onlyA < 0 || onlyB < 0) throw new ArgumentOutOfRangeException(nameof(onlyA), "discordant counts must be >= 0.");
    }
}
