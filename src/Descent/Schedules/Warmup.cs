namespace Descent.Schedules;

/// <summary>The shape of a warmup ramp.</summary>
public enum WarmupShape
{
    /// <summary><c>start + (1 - start) t / n</c>.</summary>
    Linear,
    /// <summary><c>start</c> for the whole warmup (PyTorch <c>ConstantLR</c>).</summary>
    Constant,
    /// <summary><c>start^(1 - t/n)</c>: geometric from start to 1 (start must be &gt; 0).</summary>
    Exponential,
}

/// <summary>
/// A warmup ramp of <paramref name="Steps"/> steps from <paramref name="StartFactor"/> to 1, then 1. Text <c>warmup(500, shape=linear, start=0)</c>.
/// In a sequence <c>warmup(500) &gt;&gt; cosine(10000)</c> the ramp ends where the next segment begins (it is multiplied by the next
/// segment's value at its step 0), so a warmup can stand in front of anything, absolute schedules included; the next segment starts its
/// own count at 0 after the warmup's <paramref name="Steps"/> steps.
/// </summary>
public sealed record Warmup(long Steps, WarmupShape Shape = WarmupShape.Linear, double StartFactor = 0) : Schedule
{
    /// <summary>Length of the ramp in steps (&gt; 0; PyTorch <c>total_iters</c> of <c>LinearLR</c>, Optax <c>warmup_steps</c>).</summary>
    public long Steps { get; } = Check.PositiveSteps(Steps, nameof(Steps));
    /// <summary>Linear (default), constant or exponential ramp (text <c>shape</c>).</summary>
    public WarmupShape Shape { get; } = Enum.IsDefined(Shape) ? Shape : throw new ArgumentOutOfRangeException(nameof(Shape));
    /// <summary>Factor at step 0 (default 0, finite; &gt; 0 for the exponential shape; PyTorch <c>start_factor</c>, Optax <c>init_value / peak_value</c>, text <c>start</c>).</summary>
    public double StartFactor { get; } = Shape == WarmupShape.Exponential
        ? Check.Positive(StartFactor == 0 ? 0.01 : StartFactor, nameof(StartFactor))
        : Check.NonNegative(StartFactor, nameof(StartFactor));
    /// <inheritdoc />
    public override long? Length => Steps;
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        if (step >= Steps) return 1;
        double p = (double)step / Steps;
        return Shape switch
        {
            WarmupShape.Linear => StartFactor + (1 - StartFactor) * p,
            WarmupShape.Constant => StartFactor,
            _ => Math.Pow(StartFactor, 1 - p),
        };
    }
    /// <inheritdoc />
    public override string ToString() => $"warmup({Steps}, shape={Shape.ToString().ToLowerInvariant()}, start={F(StartFactor)})";
}
