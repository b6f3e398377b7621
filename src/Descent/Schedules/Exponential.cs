namespace Descent.Schedules;

/// <summary>
/// Exponential decay <c>rate^(t / decaySteps)</c>, or with <paramref name="Staircase"/> <c>rate^floor(t / decaySteps)</c>
/// (PyTorch <c>ExponentialLR(gamma)</c> is <c>decaySteps = 1</c>; Keras/Optax <c>ExponentialDecay</c>). The continuous form
/// <c>exp(-k t)</c> is <c>rate = exp(-k)</c>: text <c>exp(k=0.01)</c> builds it. Text <c>exp(0.95, steps=1, staircase=false)</c>.
/// </summary>
public sealed record Exponential(double Rate, long DecaySteps = 1, bool Staircase = false) : Schedule
{
    /// <summary>Decay per <see cref="DecaySteps"/>; finite, &gt; 0.</summary>
    public double Rate { get; } = Check.Positive(Rate, nameof(Rate));
    /// <summary>Steps over which the factor is multiplied by <see cref="Rate"/> once (default 1, &gt; 0; Optax <c>transition_steps</c>, text <c>steps</c>).</summary>
    public long DecaySteps { get; } = Check.PositiveSteps(DecaySteps, nameof(DecaySteps));

    /// <summary>The continuous form <c>exp(-k t)</c>.</summary>
    public static Exponential Continuous(double k) => new(Math.Exp(-Check.Finite(k, nameof(k))));

    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        double p = Staircase ? step / DecaySteps : (double)step / DecaySteps;
        return Math.Pow(Rate, p);
    }
    /// <inheritdoc />
    public override string ToString() => $"exp({F(Rate)}, steps={DecaySteps}, staircase={B(Staircase)})";
}
