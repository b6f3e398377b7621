namespace Descent.Schedules;

/// <summary>
/// Linear interpolation from <paramref name="StartFactor"/> to <paramref name="EndFactor"/> over <paramref name="TotalSteps"/>, then held
/// (PyTorch <c>LinearLR(start_factor, end_factor, total_iters)</c>). Default: linear decay 1 to 0. Text <c>linear(1000, start=1, end=0)</c>.
/// </summary>
public sealed record Linear(long TotalSteps, double StartFactor = 1, double EndFactor = 0) : Schedule
{
    /// <summary>Length of the ramp in steps (&gt; 0; PyTorch <c>total_iters</c>).</summary>
    public long TotalSteps { get; } = Check.PositiveSteps(TotalSteps, nameof(TotalSteps));
    /// <summary>Factor at step 0 (default 1; PyTorch <c>start_factor</c>, text <c>start</c>).</summary>
    public double StartFactor { get; } = Check.Finite(StartFactor, nameof(StartFactor));
    /// <summary>Factor from step <see cref="TotalSteps"/> on (default 0; PyTorch <c>end_factor</c>, text <c>end</c>).</summary>
    public double EndFactor { get; } = Check.Finite(EndFactor, nameof(EndFactor));
    /// <inheritdoc />
    public override long? Length => TotalSteps;
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        return StartFactor + (EndFactor - StartFactor) * Math.Min(step, TotalSteps) / TotalSteps;
    }
    /// <inheritdoc />
    public override string ToString() => $"linear({TotalSteps}, start={F(StartFactor)}, end={F(EndFactor)})";
}
