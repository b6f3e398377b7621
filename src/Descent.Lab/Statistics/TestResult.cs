namespace Descent.Lab.Statistics;

/// <summary>A two-sided (or stated one-sided) confidence interval at a level.</summary>
/// <param name="Low">The lower end.</param>
/// <param name="High">The upper end.</param>
/// <param name="Level">The coverage, e.g. 0.95.</param>
public readonly record struct Interval(double Low, double High, double Level)
{
    /// <summary>Whether <paramref name="value"/> lies inside [Low, High].</summary>
    public bool Contains(double value) => value >= Low && value <= High;

    /// <summary>"[low, high] (95 %)" with <paramref name="format"/> for the ends.</summary>
    public string ToString(string format) =>
        $"[{Low.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}, {High.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}] ({Level * 100:0.#} %)";

    /// <inheritdoc />
    public override string ToString() => ToString("G4");
}

/// <summary>The outcome of a hypothesis test.</summary>
/// <param name="Test">The test's name as reported (e.g. "McNemar exact (binomial)").</param>
/// <param name="Statistic">The test statistic (t, chi-squared, W, the discordant count, ...).</param>
/// <param name="PValue">The p-value under the stated alternative.</param>
/// <param name="Estimate">The effect estimate (mean difference, difference of proportions, rho, ...).</param>
/// <param name="Interval">A confidence interval for <paramref name="Estimate"/>, when the test gives one.</param>
public sealed record TestResult(string Test, double Statistic, double PValue, double Estimate, Interval? Interval = null);

/// <summary>The alternative hypothesis of a test.</summary>
public enum Alternative
{
    /// <summary>The effect differs from the null value in either direction.</summary>
    TwoSided,
    /// <summary>The effect is greater than the null value.</summary>
    Greater,
    /// <summary>The effect is less than the null value.</summary>
    Less,
}
