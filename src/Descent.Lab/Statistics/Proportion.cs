namespace Descent.Lab.Statistics;

/// <summary>Confidence intervals for a binomial proportion.</summary>
public static class Proportion
{
    /// <summary>The Wilson score interval for <paramref name="successes"/> of <paramref name="trials"/> at <paramref name="level"/>.</summary>
    public static Interval Wilson(int successes, int trials, double level = 0.95)
    {
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), trials, "trials must be >= 1.");
        if (successes < 0 || successes > trials) throw new ArgumentOutOfRangeException(nameof(successes), successes, "successes must be in [0, trials].");
        double z = Normal.Quantile((1 + level) / 2), p = (double)successes / trials, n = trials;
        double center = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z / (1 + z * z / n) * Math.Sqrt(p * (1 - p) / n + z * z / (4 * n * n));
        return new Interval(Math.Max(0, center - half), Math.Min(1, center + half), level);
    }
}
