namespace Descent.Schedules;

/// <summary>
/// SGDR, cosine annealing with warm restarts (Loshchilov and Hutter 2017; PyTorch <c>CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)</c>).
/// Cycle <c>i</c> lasts <c>T_0 T_mult^i</c> steps and starts at <c>decay^i</c> (timm's <c>cycle_decay</c>; 1 in PyTorch), falling to <paramref name="MinFactor"/>.
/// Text <c>sgdr(10, mult=2, min=0, decay=1)</c>.
/// </summary>
/// <remarks>Cycle boundaries are found with integer arithmetic, so they never drift (PyTorch's closed form uses a floating-point logarithm).</remarks>
public sealed record WarmRestarts(long FirstPeriod, long PeriodMultiplier = 1, double MinFactor = 0, double CycleDecay = 1) : Schedule
{
    /// <summary>Length of the first cycle in steps (&gt; 0; PyTorch <c>T_0</c>).</summary>
    public long FirstPeriod { get; } = Check.PositiveSteps(FirstPeriod, nameof(FirstPeriod));
    /// <summary>Growth of the period per restart; whole number &gt;= 1 (PyTorch <c>T_mult</c>).</summary>
    public long PeriodMultiplier { get; } = Check.PositiveSteps(PeriodMultiplier, nameof(PeriodMultiplier));
    /// <summary>Factor at the end of every cycle (default 0; PyTorch <c>eta_min / base_lr</c>, text <c>min</c>).</summary>
    public double MinFactor { get; } = Check.Finite(MinFactor, nameof(MinFactor));
    /// <summary>Start factor of cycle <c>i</c> is <c>CycleDecay^i</c> (default 1, &gt; 0; timm <c>cycle_decay</c>, text <c>decay</c>).</summary>
    public double CycleDecay { get; } = Check.Positive(CycleDecay, nameof(CycleDecay));

    /// <summary>The cycle index, the step within the cycle and the cycle length at <paramref name="step"/>.</summary>
    public (long Cycle, long InCycle, long Period) Locate(long step)
    {
        CheckStep(step);
        if (PeriodMultiplier == 1) return (step / FirstPeriod, step % FirstPeriod, FirstPeriod);
        long start = 0, period = FirstPeriod, cycle = 0;
        while (step - start >= period)
        {
            start += period;
            period = checked(period * PeriodMultiplier);
            cycle++;
        }
        return (cycle, step - start, period);
    }

    /// <inheritdoc />
    public override double At(long step)
    {
        var (cycle, inCycle, period) = Locate(step);
        double peak = CycleDecay == 1 ? 1 : Math.Pow(CycleDecay, cycle);
        return MinFactor + (peak - MinFactor) * (1 + Math.Cos(Math.PI * inCycle / period)) / 2;
    }
    /// <inheritdoc />
    public override string ToString() => $"sgdr({FirstPeriod}, mult={PeriodMultiplier}, min={F(MinFactor)}, decay={F(CycleDecay)})";
}
