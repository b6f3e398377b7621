namespace Descent.Lab.Statistics;

/// <summary>Student's t distribution with any real number of degrees of freedom df &gt; 0.</summary>
public static class StudentT
{
    /// <summary>P(T &lt;= t) for df degrees of freedom.</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        CheckDf(degreesOfFreedom);
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsPositiveInfinity(t)) return 1;
        if (double.IsNegativeInfinity(t)) return 0;
        double tail = 0.5 * SpecialFunctions.RegularizedBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>P(T &gt; t), accurate in the upper tail.</summary>
    public static double Survival(double t, double degreesOfFreedom) => Cdf(-t, degreesOfFreedom);

    /// <summary>The two-sided p-value P(|T| &gt;= |t|).</summary>
    public static double TwoSidedP(double t, double degreesOfFreedom)
    {
        CheckDf(degreesOfFreedom);
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        return SpecialFunctions.RegularizedBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
    }

    /// <summary>The quantile t with P(T &lt;= t) = p, 0 &lt; p &lt; 1 (bracketing and bisection on the CDF to full precision).</summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        CheckDf(degreesOfFreedom);
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0, 1).");
        if (p == 0.5) return 0;
        if (p < 0.5) return -Quantile(1 - p, degreesOfFreedom);
        double tail = 1 - p;
        double lo = 0, hi = Math.Max(1, Normal.Quantile(p));
        while (Survival(hi, degreesOfFreedom) > tail) { lo = hi; hi *= 2; if (hi > 1e300) return double.PositiveInfinity; }
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid == lo || mid == hi) break;
            if (Survival(mid, degreesOfFreedom) > tail) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>The half-width multiplier of a two-sided confidence interval at <paramref name="level"/> (e.g. 0.95): t_{(1+level)/2, df}.</summary>
    public static double CriticalValue(double level, double degreesOfFreedom)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "level must be in (0, 1).");
        return Quantile((1 + level) / 2, degreesOfFreedom);
    }

    private static void CheckDf(double df)
    {
        if (!(df > 0)) throw new ArgumentOutOfRangeException("degreesOfFreedom", df, "degrees of freedom must be > 0.");
    }
}
