namespace Descent.Schedules;

/// <summary>
/// Inverse-time (hyperbolic) decay <c>1 / (1 + rate t / decaySteps)</c> (Keras <c>InverseTimeDecay</c>; the chapter's
/// <c>eta0 / (1 + beta t)</c> is <c>rate = beta, decaySteps = 1</c>), optionally staircase. Text <c>invtime(0.01, steps=1)</c>.
/// </summary>
public sealed record InverseTime(double Rate, long DecaySteps = 1, bool Staircase = false) : Schedule
{
    /// <summary>Decay rate <c>beta</c> (&gt;= 0; Keras <c>decay_rate</c>).</summary>
    public double Rate { get; } = Check.NonNegative(Rate, nameof(Rate));
    /// <summary>Time unit of the decay in steps (default 1, &gt; 0; Keras <c>decay_steps</c>, text <c>steps</c>).</summary>
    public long DecaySteps { get; } = Check.PositiveSteps(DecaySteps, nameof(DecaySteps));
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        double p = Staircase ? step / DecaySteps : (double)step / DecaySteps;
        return 1 / (1 + Rate * p);
    }
    /// <inheritdoc />
    public override string ToString() => $"invtime({F(Rate)}, steps={DecaySteps}, staircase={B(Staircase)})";
}
