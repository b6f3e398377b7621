using System.Globalization;

namespace Descent.Optimizers;

/// <summary>
/// The valid values of a numeric setting: an interval (each end open or closed, possibly infinite), optionally whole numbers
/// only. A value is valid when it is a number (not NaN) inside the interval; an open infinite end also excludes that infinity
/// (<c>[0, +inf) (finite)</c>). Used by the key table (<see cref="Hyperparameters.All"/>) and by every option of an
/// optimizer definition (<see cref="OptionDefinition.Range"/>), and by the factories' validation through them.
/// </summary>
/// <param name="Minimum">Lower end (may be <see cref="double.NegativeInfinity"/>).</param>
/// <param name="Maximum">Upper end (may be <see cref="double.PositiveInfinity"/>).</param>
/// <param name="MinimumIncluded">Whether <paramref name="Minimum"/> itself is valid.</param>
/// <param name="MaximumIncluded">Whether <paramref name="Maximum"/> itself is valid.</param>
/// <param name="WholeNumbers">Whether only whole numbers are valid (step counts, switches).</param>
public sealed record ValueRange(double Minimum, double Maximum, bool MinimumIncluded, bool MaximumIncluded, bool WholeNumbers = false)
{
    /// <summary>Finite and &gt;= 0: <c>[0, +inf) (finite)</c>.</summary>
    public static ValueRange NonNegative { get; } = AtLeast(0);

    /// <summary>Finite and &gt; 0: <c>(0, +inf) (finite)</c>.</summary>
    public static ValueRange Positive { get; } = new(0, double.PositiveInfinity, false, false);

    /// <summary><c>[0, 1]</c>.</summary>
    public static ValueRange Fraction { get; } = new(0, 1, true, true);

    /// <summary><c>[0, 1)</c>: a decay rate that must forget.</summary>
    public static ValueRange Decay { get; } = new(0, 1, true, false);

    /// <summary><c>{0, 1}</c>: a per-group switch.</summary>
    public static ValueRange Switch { get; } = new(0, 1, true, true, WholeNumbers: true);

    /// <summary>Whole numbers &gt;= 0 (step counts).</summary>
    public static ValueRange Count { get; } = new(0, double.PositiveInfinity, true, false, WholeNumbers: true);

    /// <summary>Finite and &gt;= <paramref name="minimum"/>.</summary>
    public static ValueRange AtLeast(double minimum) => new(minimum, double.PositiveInfinity, true, false);

    /// <summary>Finite and &lt;= <paramref name="maximum"/>.</summary>
    public static ValueRange AtMost(double maximum) => new(double.NegativeInfinity, maximum, false, true);

    /// <summary>Whether <paramref name="value"/> is valid.</summary>
    public bool Contains(double value)
        => (MinimumIncluded ? value >= Minimum : value > Minimum)
        && (MaximumIncluded ? value <= Maximum : value < Maximum)
        && (!WholeNumbers || value == Math.Floor(value));

    /// <summary>Whether every value of <paramref name="other"/> is valid here.</summary>
    public bool Covers(ValueRange other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool low = other.Minimum > Minimum || (other.Minimum == Minimum && (MinimumIncluded || !other.MinimumIncluded));
        bool high = other.Maximum < Maximum || (other.Maximum == Maximum && (MaximumIncluded || !other.MaximumIncluded));
        return low && high && (!WholeNumbers || other.WholeNumbers);
    }

    /// <summary>
    /// The range in words, as error messages quote it: <c>[0, 1)</c>, <c>{0, 1}</c>, <c>[0, +inf) (finite)</c>, whole numbers
    /// as <c>whole numbers in [1, 100]</c>.
    /// </summary>
    public override string ToString()
    {
        if (WholeNumbers && MinimumIncluded && MaximumIncluded && Maximum - Minimum == 1) return $"{{{Number(Minimum)}, {Number(Maximum)}}}";
        string interval = (MinimumIncluded ? "[" : "(") + Number(Minimum) + ", " + Number(Maximum) + (MaximumIncluded ? "]" : ")");
        bool openInfinity = (!MinimumIncluded && double.IsNegativeInfinity(Minimum)) || (!MaximumIncluded && double.IsPositiveInfinity(Maximum));
        return (WholeNumbers ? "whole numbers in " : "") + interval + (openInfinity && !WholeNumbers ? " (finite)" : "");
    }

    private static string Number(double v) => double.IsPositiveInfinity(v) ? "+inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", CultureInfo.InvariantCulture);
}
