namespace Descent.Schedules;

/// <summary>
/// Inverse square root <c>1 / sqrt(1 + t / timeScale)</c>: starts at 1 and falls like <c>t^-1/2</c>
/// (the Transformer's rule without its warmup; put <c>warmup(n) &gt;&gt;</c> in front). Text <c>invsqrt(timeScale)</c>.
/// </summary>
public sealed record InverseSqrt(long TimeScale = 1) : Schedule
{
    /// <summary>Steps after which the factor is <c>1/sqrt(2)</c> (default 1, &gt; 0).</summary>
    public long TimeScale { get; } = Check.PositiveSteps(TimeScale, nameof(TimeScale));
    /// <inheritdoc />
    public override double At(long step) { CheckStep(step); return 1 / Math.Sqrt(1 + (double)step / TimeScale); }
    /// <inheritdoc />
    public override string ToString() => $"invsqrt({TimeScale})";
}
