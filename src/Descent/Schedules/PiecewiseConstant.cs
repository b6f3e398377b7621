namespace Descent.Schedules;

/// <summary>
/// Piecewise constant: <c>Values[i]</c> for <c>Boundaries[i-1] &lt;= t &lt; Boundaries[i]</c> (one more value than boundaries).
/// PyTorch <c>ConstantLR(factor, total_iters)</c> is <c>piecewise([total_iters], [factor, 1])</c>. Text <c>piecewise([100, 200], [1, 0.5, 0.1])</c>.
/// </summary>
public sealed record PiecewiseConstant(ValueList<long> Boundaries, ValueList<double> Values) : Schedule
{
    /// <summary>Steps at which the value changes (strictly increasing, &gt; 0).</summary>
    public ValueList<long> Boundaries { get; } = ValidateB(Boundaries);
    /// <summary>The factors, one more than <see cref="Boundaries"/> (finite).</summary>
    public ValueList<double> Values { get; } = ValidateV(Values, Boundaries);

    private static ValueList<long> ValidateB(ValueList<long> b)
    {
        Check.NotNull(b, nameof(Boundaries));
        for (int i = 0; i < b.Count; i++)
            if (b[i] < 0 || (i > 0 && b[i] <= b[i - 1])) throw new ArgumentException("Boundaries must be >= 0 and increasing.", nameof(Boundaries));
        return b;
    }

    private static ValueList<double> ValidateV(ValueList<double> v, ValueList<long> b)
    {
        Check.NotNull(v, nameof(Values));
        if (v.Count != (b?.Count ?? 0) + 1) throw new ArgumentException($"Values needs one more entry than Boundaries ({(b?.Count ?? 0) + 1}), got {v.Count}.", nameof(Values));
        foreach (double x in v) Check.Finite(x, nameof(Values));
        return v;
    }

    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        int i = 0;
        while (i < Boundaries.Count && Boundaries[i] <= step) i++;
        return Values[i];
    }
    /// <inheritdoc />
    public override string ToString()
        => $"piecewise([{string.Join(", ", Boundaries)}], [{string.Join(", ", Values.Select(F))}])";
}
