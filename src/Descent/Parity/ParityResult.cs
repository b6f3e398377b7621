namespace Descent.Parity;

/// <summary>The outcome of replaying one recorded reference case.</summary>
/// <param name="Name">The case's name (its file name without extension).</param>
/// <param name="Kind">The case's kind: optimizer, schedule or loss.</param>
/// <param name="Passed">Whether every compared value was within tolerance.</param>
/// <param name="MaxDeviation">The largest |got - want| over all compared values.</param>
/// <param name="WorstRatio">The largest |got - want| / (atol + rtol |want|); at most 1 when the case passes.</param>
/// <param name="Detail">Where the worst deviation occurred, or why the case could not be replayed.</param>
public sealed record ParityResult(string Name, string Kind, bool Passed, double MaxDeviation, double WorstRatio, string Detail)
{
    /// <summary>
    /// True when the case was not replayed because the requested precision cannot be held to it (for example float
    /// for LBFGS traces); <see cref="Detail"/> says why. A skipped case has <see cref="Passed"/> false but is not a failure.
    /// </summary>
    public bool Skipped { get; init; }
}

/// <summary>Element-wise tolerance |got - want| &lt;= atol + rtol |want|.</summary>
public readonly record struct ParityTolerance(double Rtol, double Atol)
{
    /// <summary>The tolerance for float32 implementations on the same traces.</summary>
    public static ParityTolerance Float => new(1e-4, 1e-6);
}

/// <summary>Accumulates element comparisons for one case and remembers the worst one.</summary>
public sealed class ParityComparer(ParityTolerance tolerance)
{
    private string _worstWhere = "no values compared";

    /// <summary>The tolerance in force.</summary>
    public ParityTolerance Tolerance => tolerance;

    /// <summary>The largest absolute deviation so far.</summary>
    public double MaxDeviation { get; private set; }

    /// <summary>The largest deviation relative to the allowed one so far.</summary>
    public double WorstRatio { get; private set; }

    /// <summary>Whether any comparison failed (NaN where a number was expected fails).</summary>
    public bool Failed { get; private set; }

    /// <summary>Compares one value; <paramref name="where"/> describes it for the report (evaluated only when it is the worst).</summary>
    public void Compare(double got, double want, Func<string> where)
    {
        double deviation = Math.Abs(got - want);
        double allowed = tolerance.Atol + tolerance.Rtol * Math.Abs(want);
        bool bothNaN = double.IsNaN(got) && double.IsNaN(want);
        bool sameInfinity = double.IsInfinity(want) && got == want;
        if (bothNaN || sameInfinity)
        {
            return;
        }
        double ratio = allowed > 0 ? deviation / allowed : (deviation == 0 ? 0 : double.PositiveInfinity);
        if (double.IsNaN(deviation))
        {
            ratio = double.PositiveInfinity;
            deviation = double.PositiveInfinity;
        }
        if (ratio > 1)
        {
            Failed = true;
        }
        if (ratio > WorstRatio || (WorstRatio == 0 && _worstWhere == "no values compared"))
        {
            WorstRatio = Math.Max(WorstRatio, ratio);
            _worstWhere = $"{where()}: got {got:R}, want {want:R}";
        }
        MaxDeviation = Math.Max(MaxDeviation, deviation);
    }

    /// <summary>Records a mismatch that is not a number-to-number comparison (for example an evaluation count); the case fails.</summary>
    public void Mismatch(string what)
    {
        Failed = true;
        if (!double.IsPositiveInfinity(WorstRatio))
        {
            WorstRatio = double.PositiveInfinity;
            _worstWhere = what;
        }
    }

    /// <summary>The result for the case.</summary>
    public ParityResult Result(string name, string kind) => new(name, kind, !Failed, MaxDeviation, WorstRatio, _worstWhere);
}
