namespace Descent.Schedules;

/// <summary>
/// Cosine annealing from 1 to <paramref name="MinFactor"/> over <paramref name="TotalSteps"/>:
/// <c>min + (1 - min) (1 + cos(pi t^k / T^k)) / 2</c>, with timm's k-decay exponent <paramref name="KDecay"/> (1: plain cosine).
/// Text <c>cosine(10000, min=1e-5, k=1, periodic=false)</c>.
/// </summary>
/// <remarks>
/// Past <c>T</c> the schedule holds at <c>min</c> (Optax, timm, HF). PyTorch's <c>CosineAnnealingLR</c> instead keeps following
/// the cosine (period <c>2T</c>, rising again after <c>T</c>) because its recursive update never stops; set
/// <paramref name="Periodic"/> for that behaviour. The recursive form <c>eta_t = (1 + cos(pi t/T)) / (1 + cos(pi (t-1)/T)) (eta_{t-1} - min) + min</c>
/// (with PyTorch's special case at <c>t - 1 - T = 0 mod 2T</c>) equals this closed form in exact arithmetic; the two differ
/// only by rounding (checked against PyTorch traces to 1e-9 relative). PyTorch's <c>eta_min</c> is absolute: <c>min = eta_min / base_lr</c>.
/// </remarks>
public sealed record Cosine(long TotalSteps, double MinFactor = 0, double KDecay = 1, bool Periodic = false) : Schedule
{
    /// <summary>Length <c>T</c> of the decay in steps (&gt; 0; PyTorch <c>T_max</c>, Optax <c>decay_steps</c>).</summary>
    public long TotalSteps { get; } = Check.PositiveSteps(TotalSteps, nameof(TotalSteps));
    /// <summary>Final factor (default 0; text <c>min</c>; PyTorch <c>eta_min / base_lr</c>, Optax <c>alpha</c>).</summary>
    public double MinFactor { get; } = Check.Finite(MinFactor, nameof(MinFactor));
    /// <summary>timm's k-decay exponent; finite, &gt; 0; 1 for plain cosine.</summary>
    public double KDecay { get; } = Check.Positive(KDecay, nameof(KDecay));
    /// <inheritdoc />
    public override long? Length => Periodic ? null : TotalSteps;
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        if (!Periodic && step >= TotalSteps) return MinFactor;
        double phase = KDecay == 1 ? (double)step / TotalSteps : Math.Pow(step, KDecay) / Math.Pow(TotalSteps, KDecay);
        return MinFactor + (1 - MinFactor) * (1 + Math.Cos(Math.PI * phase)) / 2;
    }
    /// <inheritdoc />
    public override string ToString() => $"cosine({TotalSteps}, min={F(MinFactor)}, k={F(KDecay)}, periodic={B(Periodic)})";
}
