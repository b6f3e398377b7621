namespace Descent.Schedules;

/// <summary>
/// Polynomial decay <c>end + (1 - end) (1 - min(t, T)/T)^power</c> (PyTorch <c>PolynomialLR(total_iters, power)</c> with end 0;
/// Keras <c>PolynomialDecay</c>). With <paramref name="Cycle"/> the horizon grows to the next multiple of T, as in Keras
/// (<c>T' = T ceil(t / T)</c>). Text <c>poly(1000, power=2, end=0, cycle=false)</c>.
/// </summary>
public sealed record Polynomial(long TotalSteps, double Power = 1, double EndFactor = 0, bool Cycle = false) : Schedule
{
    /// <summary>Horizon <c>T</c> in steps (&gt; 0; PyTorch <c>total_iters</c>, Keras <c>decay_steps</c>).</summary>
    public long TotalSteps { get; } = Check.PositiveSteps(TotalSteps, nameof(TotalSteps));
    /// <summary>Exponent of the decay (default 1: linear, &gt;= 0; PyTorch and Keras <c>power</c>).</summary>
    public double Power { get; } = Check.NonNegative(Power, nameof(Power));
    /// <summary>Factor reached at <c>T</c> (default 0; Keras <c>end_learning_rate / initial</c>, text <c>end</c>).</summary>
    public double EndFactor { get; } = Check.Finite(EndFactor, nameof(EndFactor));
    /// <inheritdoc />
    public override long? Length => Cycle ? null : TotalSteps;
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        double horizon = TotalSteps;
        double t = step;
        if (Cycle) horizon = TotalSteps * Math.Max(1, (step + TotalSteps - 1) / TotalSteps);
        else t = Math.Min(step, TotalSteps);
        return EndFactor + (1 - EndFactor) * Math.Pow(1 - t / horizon, Power);
    }
    /// <inheritdoc />
    public override string ToString() => $"poly({TotalSteps}, power={F(Power)}, end={F(EndFactor)}, cycle={B(Cycle)})";
}
