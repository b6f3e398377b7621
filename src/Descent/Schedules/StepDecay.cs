namespace Descent.Schedules;

/// <summary>Step decay: <c>gamma^floor(t / stepSize)</c> (PyTorch <c>StepLR(step_size, gamma)</c>; text <c>step(30, gamma=0.1)</c>).</summary>
/// <param name="StepSize">Steps between decays; &gt; 0 (PyTorch <c>step_size</c>).</param>
/// <param name="Gamma">Factor applied at each decay; finite, &gt;= 0, default 0.1.</param>
public sealed record StepDecay(long StepSize, double Gamma = 0.1) : Schedule
{
    /// <summary>Steps between decays; &gt; 0 (PyTorch <c>step_size</c>).</summary>
    public long StepSize { get; } = Check.PositiveSteps(StepSize, nameof(StepSize));
    /// <summary>Factor applied at each decay; finite, &gt;= 0, default 0.1.</summary>
    public double Gamma { get; } = Check.NonNegative(Gamma, nameof(Gamma));
    /// <inheritdoc />
    public override double At(long step) { CheckStep(step); return Math.Pow(Gamma, step / StepSize); }
    /// <inheritdoc />
    public override string ToString() => $"step({StepSize}, gamma={F(Gamma)})";
}
