namespace Descent.Schedules;

/// <summary>
/// The product of several schedules (PyTorch <c>ChainedScheduler</c> of multiplicative schedulers; Optax chaining of scales).
/// At most one factor may be absolute; the product is then absolute. Momentum comes from the first child that drives it.
/// Text <c>mul(exp(0.97), step(10, gamma=0.5))</c> (alias <c>chain</c>).
/// </summary>
public sealed record Multiply(ValueList<ISchedule> Factors) : Schedule
{
    /// <summary>The schedules multiplied together (at least one; at most one absolute).</summary>
    public ValueList<ISchedule> Factors { get; } = Validate(Factors);
    private static ValueList<ISchedule> Validate(ValueList<ISchedule> f)
    {
        Check.NotNull(f, nameof(Factors));
        if (f.Count == 0) throw new ArgumentException("mul needs at least one schedule.", nameof(Factors));
        if (f.Count(IsAbsoluteSchedule) > 1) throw new ArgumentException("At most one factor of a product can be absolute.", nameof(Factors));
        return f;
    }
    /// <inheritdoc />
    public override bool IsAbsolute => Factors.Any(IsAbsoluteSchedule);
    /// <inheritdoc />
    public override bool DrivesMomentum => Factors.Any(s => s is Schedule { DrivesMomentum: true });
    /// <inheritdoc />
    public override double? MomentumAt(long step) => Factors.OfType<Schedule>().Select(s => s.MomentumAt(step)).FirstOrDefault(m => m is not null);
    /// <inheritdoc />
    public override long? Length => Factors.Select(LengthOf).Where(l => l is not null).DefaultIfEmpty(null).Min();
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => Factors;
    /// <inheritdoc />
    public override Schedule WithTotal(long totalSteps) => new Multiply(Factors.Select(f => f is Schedule s ? s.WithTotal(totalSteps) : f).ToArray());
    /// <inheritdoc />
    public override double At(long step)
    {
        double p = 1;
        for (int i = 0; i < Factors.Count; i++) p *= Factors[i].At(step);
        return p;
    }
    /// <inheritdoc />
    public override string ToString() => $"mul({string.Join(", ", Factors.Select(TextOf))})";
}

/// <summary>A schedule multiplied by a constant. Text <c>scale(cosine(100), 0.5)</c>.</summary>
public sealed record Scale(ISchedule Inner, double Factor) : Schedule
{
    /// <summary>The schedule being scaled.</summary>
    public ISchedule Inner { get; } = Check.NotNull(Inner, nameof(Inner));
    /// <summary>The constant multiplier (finite).</summary>
    public double Factor { get; } = Check.Finite(Factor, nameof(Factor));
    /// <inheritdoc />
    public override bool IsAbsolute => IsAbsoluteSchedule(Inner);
    /// <inheritdoc />
    public override long? Length => LengthOf(Inner);
    /// <inheritdoc />
    public override bool DrivesMomentum => Inner is Schedule { DrivesMomentum: true };
    /// <inheritdoc />
    public override double? MomentumAt(long step) => (Inner as Schedule)?.MomentumAt(step);
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Inner];
    /// <inheritdoc />
    public override Schedule WithTotal(long totalSteps) => Inner is Schedule s ? new Scale(s.WithTotal(totalSteps), Factor) : this;
    /// <inheritdoc />
    public override double At(long step) => Factor * Inner.At(step);
    /// <inheritdoc />
    public override string ToString() => $"scale({TextOf(Inner)}, {F(Factor)})";
}

/// <summary>
/// A time offset: <c>At(t) = Inner.At(t + Steps)</c>, i.e. the inner schedule entered <paramref name="Steps"/> steps in
/// (to resume a schedule, or to start a cosine part-way). Text <c>offset(cosine(1000), 200)</c>.
/// </summary>
public sealed record Offset(ISchedule Inner, long Steps) : Schedule
{
    /// <summary>The schedule being shifted.</summary>
    public ISchedule Inner { get; } = Check.NotNull(Inner, nameof(Inner));
    /// <summary>How many steps into <see cref="Inner"/> step 0 starts (&gt;= 0).</summary>
    public long Steps { get; } = Check.NonNegativeSteps(Steps, nameof(Steps));
    /// <inheritdoc />
    public override bool IsAbsolute => IsAbsoluteSchedule(Inner);
    /// <inheritdoc />
    public override long? Length => LengthOf(Inner) is { } l ? Math.Max(0, l - Steps) : null;
    /// <inheritdoc />
    public override bool DrivesMomentum => Inner is Schedule { DrivesMomentum: true };
    /// <inheritdoc />
    public override double? MomentumAt(long step) => (Inner as Schedule)?.MomentumAt(step + Steps);
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Inner];
    /// <inheritdoc />
    public override double At(long step) { CheckStep(step); return Inner.At(step + Steps); }
    /// <inheritdoc />
    public override string ToString() => $"offset({TextOf(Inner)}, {Steps})";
}

/// <summary>Repeats the first <paramref name="Period"/> steps of a schedule: <c>At(t) = Inner.At(t mod Period)</c>. Text <c>repeat(cosine(100), 100)</c>.</summary>
public sealed record Repeat(ISchedule Inner, long Period) : Schedule
{
    /// <summary>The schedule whose first <see cref="Period"/> steps are repeated.</summary>
    public ISchedule Inner { get; } = Check.NotNull(Inner, nameof(Inner));
    /// <summary>Length of one repetition in steps (&gt; 0).</summary>
    public long Period { get; } = Check.PositiveSteps(Period, nameof(Period));
    /// <inheritdoc />
    public override bool IsAbsolute => IsAbsoluteSchedule(Inner);
    /// <inheritdoc />
    public override bool DrivesMomentum => Inner is Schedule { DrivesMomentum: true };
    /// <inheritdoc />
    public override double? MomentumAt(long step) => (Inner as Schedule)?.MomentumAt(step % Period);
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Inner];
    /// <inheritdoc />
    public override double At(long step) { CheckStep(step); return Inner.At(step % Period); }
    /// <inheritdoc />
    public override string ToString() => $"repeat({TextOf(Inner)}, {Period})";
}

/// <summary>Clamps a schedule to <c>[Min, Max]</c>. Text <c>clamp(exp(0.9), min=0.01, max=1)</c>.</summary>
public sealed record Clamp(ISchedule Inner, double Min = double.NegativeInfinity, double Max = double.PositiveInfinity) : Schedule
{
    /// <summary>The schedule being clamped.</summary>
    public ISchedule Inner { get; } = Check.NotNull(Inner, nameof(Inner));
    /// <summary>Lower bound (default -infinity: none; not NaN).</summary>
    public double Min { get; } = double.IsNaN(Min) ? throw new ArgumentOutOfRangeException(nameof(Min), "Min must not be NaN.") : Min;
    /// <summary>Upper bound (default +infinity: none; &gt;= <see cref="Min"/>, not NaN).</summary>
    public double Max { get; } = double.IsNaN(Max) || Max < Min ? throw new ArgumentOutOfRangeException(nameof(Max), Max, "Max must be >= Min.") : Max;
    /// <inheritdoc />
    public override bool IsAbsolute => IsAbsoluteSchedule(Inner);
    /// <inheritdoc />
    public override long? Length => LengthOf(Inner);
    /// <inheritdoc />
    public override bool DrivesMomentum => Inner is Schedule { DrivesMomentum: true };
    /// <inheritdoc />
    public override double? MomentumAt(long step) => (Inner as Schedule)?.MomentumAt(step);
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Inner];
    /// <inheritdoc />
    public override Schedule WithTotal(long totalSteps) => Inner is Schedule s ? new Clamp(s.WithTotal(totalSteps), Min, Max) : this;
    /// <inheritdoc />
    public override double At(long step) => Math.Clamp(Inner.At(step), Min, Max);
    /// <inheritdoc />
    public override string ToString()
        => $"clamp({TextOf(Inner)}{(double.IsNegativeInfinity(Min) ? "" : $", min={F(Min)}")}{(double.IsPositiveInfinity(Max) ? "" : $", max={F(Max)}")})";
}

/// <summary>
/// A causal moving-average filter over a schedule: the mean of <c>Inner.At(max(0, t - k))</c> for <c>k = 0 .. Window-1</c>
/// (smooths the jumps of step decay or restarts; still a pure function of t). Text <c>smooth(step(100), window=20)</c>.
/// </summary>
public sealed record MovingAverage(ISchedule Inner, int Window) : Schedule
{
    /// <summary>The schedule being smoothed.</summary>
    public ISchedule Inner { get; } = Check.NotNull(Inner, nameof(Inner));
    /// <summary>Number of past steps averaged, the current one included (1 to 1,000,000; 1 leaves the schedule unchanged).</summary>
    public int Window { get; } = Window is > 0 and <= 1_000_000 ? Window : throw new ArgumentOutOfRangeException(nameof(Window), Window, "Window must be in [1, 1000000].");
    /// <inheritdoc />
    public override bool IsAbsolute => IsAbsoluteSchedule(Inner);
    /// <inheritdoc />
    public override long? Length => LengthOf(Inner);
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Inner];
    /// <inheritdoc />
    public override Schedule WithTotal(long totalSteps) => Inner is Schedule s ? new MovingAverage(s.WithTotal(totalSteps), Window) : this;
    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        double sum = 0;
        for (int k = 0; k < Window; k++) sum += Inner.At(Math.Max(0, step - k));
        return sum / Window;
    }
    /// <inheritdoc />
    public override string ToString() => $"smooth({TextOf(Inner)}, window={Window})";
}

/// <summary>
/// The batch-size-coupled schedule <c>eta_t = g B_t</c> (Smith et al. 2018, "Don't decay the learning rate, increase the batch size"):
/// the noise scale <c>eta / B</c> stays constant while the batch grows. <paramref name="Growth"/> gives <c>B_t / B_0</c>; the batch used is
/// <see cref="BatchSizeAt"/> = <c>round(B_0 Growth(t))</c> and the factor is <c>B_t / B_0</c>, so <c>g = baseLr / B_0</c>.
/// Text <c>batch(multistep([1000, 2000], gamma=2), base=32)</c>.
/// </summary>
public sealed record BatchCoupled(ISchedule Growth, long BaseBatchSize) : Schedule
{
    /// <summary>The batch growth <c>B_t / B_0</c> as a schedule (e.g. <c>multistep([1000, 2000], gamma=2)</c> doubles the batch twice).</summary>
    public ISchedule Growth { get; } = Check.NotNull(Growth, nameof(Growth));
    /// <summary>The initial batch size <c>B_0</c> (&gt; 0); text <c>base</c>.</summary>
    public long BaseBatchSize { get; } = Check.PositiveSteps(BaseBatchSize, nameof(BaseBatchSize));
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Growth];
    /// <summary>The batch size for step <paramref name="step"/> (at least 1).</summary>
    public long BatchSizeAt(long step) => Math.Max(1, (long)Math.Round(BaseBatchSize * Growth.At(step)));
    /// <inheritdoc />
    public override double At(long step) { CheckStep(step); return (double)BatchSizeAt(step) / BaseBatchSize; }
    /// <inheritdoc />
    public override string ToString() => $"batch({TextOf(Growth)}, base={BaseBatchSize})";
}
