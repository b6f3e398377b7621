namespace Descent.Schedules;

/// <summary>The cooldown shape of <see cref="WarmupStableDecay"/>.</summary>
public enum CooldownShape
{
    /// <summary><c>1 - p</c>.</summary>
    Linear,
    /// <summary><c>(1 + cos(pi p)) / 2</c>.</summary>
    Cosine,
    /// <summary><c>1 - sqrt(p)</c> (Hägele et al. 2024).</summary>
    OneMinusSqrt,
}

/// <summary>
/// Warmup-stable-decay (trapezoid): linear warmup 0 to 1 over <paramref name="WarmupSteps"/>, 1 until the last
/// <paramref name="DecaySteps"/> steps of <paramref name="TotalSteps"/>, then a cooldown to <paramref name="MinFactor"/>; held after.
/// Text <c>wsd(10000, warmup=500, decay=2000, cooldown=sqrt, min=0)</c>.
/// </summary>
/// <remarks>Hu et al. 2024 (MiniCPM), Hägele et al. 2024 (scaling laws without cosine schedules).</remarks>
public sealed record WarmupStableDecay(long TotalSteps, long WarmupSteps, long DecaySteps, CooldownShape Cooldown = CooldownShape.Linear, double MinFactor = 0) : Schedule
{
    /// <summary>Length of the whole run in steps (&gt; 0).</summary>
    public long TotalSteps { get; } = Check.PositiveSteps(TotalSteps, nameof(TotalSteps));
    /// <summary>Steps of the linear warmup from 0 to 1 (&gt;= 0; text <c>warmup</c>).</summary>
    public long WarmupSteps { get; } = Check.NonNegativeSteps(WarmupSteps, nameof(WarmupSteps));
    /// <summary>Steps of the final cooldown (&gt;= 0; warmup + decay &lt;= total; text <c>decay</c>).</summary>
    public long DecaySteps { get; } = WarmupSteps + Check.NonNegativeSteps(DecaySteps, nameof(DecaySteps)) <= TotalSteps
        ? DecaySteps : throw new ArgumentOutOfRangeException(nameof(DecaySteps), DecaySteps, "WarmupSteps + DecaySteps must be <= TotalSteps.");
    /// <summary>Factor reached at the end of the cooldown (default 0, finite; text <c>min</c>).</summary>
    public double MinFactor { get; } = Check.Finite(MinFactor, nameof(MinFactor));
    /// <inheritdoc />
    public override long? Length => TotalSteps;
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        if (step < WarmupSteps) return (double)step / WarmupSteps;
        long decayStart = TotalSteps - DecaySteps;
        if (step < decayStart) return 1;
        if (step >= TotalSteps) return MinFactor;
        double p = (double)(step - decayStart) / DecaySteps;
        double shape = Cooldown switch
        {
            CooldownShape.Linear => 1 - p,
            CooldownShape.Cosine => (1 + Math.Cos(Math.PI * p)) / 2,
            _ => 1 - Math.Sqrt(p),
        };
        return MinFactor + (1 - MinFactor) * shape;
    }
    /// <inheritdoc />
    public override string ToString()
        => $"wsd({TotalSteps}, warmup={WarmupSteps}, decay={DecaySteps}, cooldown={(Cooldown == CooldownShape.OneMinusSqrt ? "sqrt" : Cooldown.ToString().ToLowerInvariant())}, min={F(MinFactor)})";
}
