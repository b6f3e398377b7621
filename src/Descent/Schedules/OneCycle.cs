namespace Descent.Schedules;

/// <summary>Annealing curve of <see cref="OneCycle"/>.</summary>
public enum AnnealStrategy
{
    /// <summary>Half cosine.</summary>
    Cos,
    /// <summary>Straight line.</summary>
    Linear,
}

/// <summary>
/// The 1cycle policy (Smith and Topin 2018; PyTorch <c>OneCycleLR</c>), an <b>absolute</b> schedule: from <c>max/div</c> up to
/// <paramref name="MaxLearningRate"/> over <c>pct_start</c> of the run, then down to <c>max/div/final_div</c>; with
/// <paramref name="ThreePhase"/>, back to <c>max/div</c> symmetrically, then down to the minimum. Momentum (or Adam's beta1) cycles
/// inversely between <paramref name="MaxMomentum"/> and <paramref name="BaseMomentum"/>.
/// Text <c>onecycle(max=0.1, total=1000, pct=0.3, anneal=cos, div=25, final_div=10000, three_phase=false, momentum=true, base_momentum=0.85, max_momentum=0.95)</c>;
/// <c>total</c> may be omitted and bound later from the run (<see cref="WithTotal"/>, or <see cref="ScheduleText.Parse"/> with a total).
/// </summary>
/// <remarks>
/// Asking for a step <c>&gt;= total</c> throws, with a message naming both: a 1cycle schedule stepped past its end is a
/// configuration error (epochs or steps per epoch disagree with the run). PyTorch raises one scheduler step later, because its
/// scheduler computes (but never uses) the rate for step <c>total</c>.
/// </remarks>
public sealed record OneCycle(double MaxLearningRate, long? TotalSteps = null, double PctStart = 0.3, AnnealStrategy Anneal = AnnealStrategy.Cos,
    double DivFactor = 25, double FinalDivFactor = 1e4, bool ThreePhase = false, bool CycleMomentum = true, double BaseMomentum = 0.85, double MaxMomentum = 0.95) : Schedule
{
    /// <summary>The peak learning rate (&gt; 0; PyTorch <c>max_lr</c>, text <c>max</c>).</summary>
    public double MaxLearningRate { get; } = Check.Positive(MaxLearningRate, nameof(MaxLearningRate));
    /// <summary>Length of the cycle in steps (&gt; 0; null: bound later from the run; PyTorch <c>total_steps</c>, text <c>total</c>).</summary>
    public long? TotalSteps { get; } = TotalSteps is { } t ? Check.PositiveSteps(t, nameof(TotalSteps)) : null;
    /// <summary>Fraction of the run spent rising (default 0.3, in [0, 1]; PyTorch <c>pct_start</c>, text <c>pct</c>).</summary>
    public double PctStart { get; } = Check.InRange(PctStart, 0, 1, nameof(PctStart));
    /// <summary>Initial rate is <c>max / DivFactor</c> (default 25, &gt; 0; PyTorch <c>div_factor</c>, text <c>div</c>).</summary>
    public double DivFactor { get; } = Check.Positive(DivFactor, nameof(DivFactor));
    /// <summary>Final rate is <c>max / DivFactor / FinalDivFactor</c> (default 1e4, &gt; 0; PyTorch <c>final_div_factor</c>, text <c>final_div</c>).</summary>
    public double FinalDivFactor { get; } = Check.Positive(FinalDivFactor, nameof(FinalDivFactor));
    /// <summary>Momentum (or beta1) at the learning-rate peak (default 0.85, in [0, 1]; PyTorch <c>base_momentum</c>).</summary>
    public double BaseMomentum { get; } = Check.InRange(BaseMomentum, 0, 1, nameof(BaseMomentum));
    /// <summary>Momentum (or beta1) at the start and end (default 0.95, in [0, 1]; PyTorch <c>max_momentum</c>).</summary>
    public double MaxMomentum { get; } = Check.InRange(MaxMomentum, 0, 1, nameof(MaxMomentum));

    /// <inheritdoc />
    public override bool IsAbsolute => true;
    /// <inheritdoc />
    public override bool DrivesMomentum => CycleMomentum;
    /// <inheritdoc />
    public override long? Length => TotalSteps;
    /// <inheritdoc />
    public override Schedule WithTotal(long totalSteps) => TotalSteps is null ? new OneCycle(MaxLearningRate, totalSteps, PctStart, Anneal, DivFactor, FinalDivFactor, ThreePhase, CycleMomentum, BaseMomentum, MaxMomentum) : this;

    private double Initial => MaxLearningRate / DivFactor;
    private double Minimum => Initial / FinalDivFactor;

    private double Interpolate(long step, bool momentum)
    {
        CheckStep(step);
        long total = TotalSteps ?? throw new InvalidOperationException("onecycle(...) has no total: give total=N, or bind the run's total with WithTotal / ScheduleText.Parse(text, totalSteps).");
        if (step >= total)
            throw new ArgumentOutOfRangeException($"onecycle was stepped past its total: asked for step {step} (0-based) but total={total}, so the last step is {total - 1}.", (Exception?)null);
        double t = total;
        Span<double> ends = stackalloc double[3];
        Span<double> from = stackalloc double[3];
        Span<double> to = stackalloc double[3];
        int phases;
        double lo = momentum ? MaxMomentum : Initial, hi = momentum ? BaseMomentum : MaxLearningRate, end = momentum ? MaxMomentum : Minimum;
        if (ThreePhase)
        {
            phases = 3;
            ends[0] = PctStart * t - 1; ends[1] = 2 * PctStart * t - 2; ends[2] = t - 1;
            from[0] = lo; to[0] = hi; from[1] = hi; to[1] = lo; from[2] = lo; to[2] = end;
        }
        else
        {
            phases = 2;
            ends[0] = PctStart * t - 1; ends[1] = t - 1;
            from[0] = lo; to[0] = hi; from[1] = hi; to[1] = end;
        }
        double start = 0;
        for (int i = 0; i < phases; i++)
        {
            if (step <= ends[i] || i == phases - 1)
            {
                double pct = (step - start) / (ends[i] - start);
                return Anneal == AnnealStrategy.Cos
                    ? to[i] + (from[i] - to[i]) / 2 * (Math.Cos(Math.PI * pct) + 1)
                    : (to[i] - from[i]) * pct + from[i];
            }
            start = ends[i];
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <inheritdoc />
    public override double At(long step) => Interpolate(step, momentum: false);

    /// <inheritdoc />
    public override double? MomentumAt(long step) => CycleMomentum ? Interpolate(step, momentum: true) : null;

    /// <inheritdoc />
    public override string ToString()
        => $"onecycle(max={F(MaxLearningRate)}{(TotalSteps is { } t ? $", total={t}" : "")}, pct={F(PctStart)}, anneal={Anneal.ToString().ToLowerInvariant()}, div={F(DivFactor)}, final_div={F(FinalDivFactor)}, three_phase={B(ThreePhase)}, momentum={B(CycleMomentum)}, base_momentum={F(BaseMomentum)}, max_momentum={F(MaxMomentum)})";
}
