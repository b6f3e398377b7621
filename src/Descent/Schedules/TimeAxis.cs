namespace Descent.Schedules;

/// <summary>
/// A schedule defined per epoch, driven per optimizer step: <c>At(t) = Inner.At(floor(t / StepsPerEpoch))</c>.
/// Wrapping makes the unit explicit so that a per-epoch schedule cannot silently be stepped per batch. Text <c>perepoch(step(30), steps=390)</c>.
/// </summary>
public sealed record PerEpoch(ISchedule Inner, long StepsPerEpoch) : Schedule
{
    /// <summary>The schedule whose step is the epoch number.</summary>
    public ISchedule Inner { get; } = Check.NotNull(Inner, nameof(Inner));
    /// <summary>Optimizer steps per epoch (&gt; 0; text <c>steps</c>).</summary>
    public long StepsPerEpoch { get; } = Check.PositiveSteps(StepsPerEpoch, nameof(StepsPerEpoch));
    /// <inheritdoc />
    public override bool IsAbsolute => IsAbsoluteSchedule(Inner);
    /// <inheritdoc />
    public override long? Length => LengthOf(Inner) is { } l ? checked(l * StepsPerEpoch) : null;
    /// <inheritdoc />
    public override bool DrivesMomentum => Inner is Schedule { DrivesMomentum: true };
    /// <inheritdoc />
    public override double? MomentumAt(long step) => (Inner as Schedule)?.MomentumAt(step / StepsPerEpoch);
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => [Inner];
    /// <inheritdoc />
    public override double At(long step) { CheckStep(step); return Inner.At(step / StepsPerEpoch); }
    /// <inheritdoc />
    public override string ToString() => $"perepoch({TextOf(Inner)}, steps={StepsPerEpoch})";
}

/// <summary>Conversions between epochs, batches and optimizer steps. Schedules always count optimizer steps.</summary>
public static class TimeAxis
{
    /// <summary>Optimizer steps per epoch: <c>ceil(batchesPerEpoch / accumulation)</c> when the last partial accumulation still steps
    /// (<paramref name="dropLastPartial"/> false), else <c>floor</c>.</summary>
    public static long OptimizerStepsPerEpoch(long batchesPerEpoch, int gradientAccumulation = 1, bool dropLastPartial = false)
    {
        Check.PositiveSteps(batchesPerEpoch, nameof(batchesPerEpoch));
        if (gradientAccumulation < 1) throw new ArgumentOutOfRangeException(nameof(gradientAccumulation), gradientAccumulation, "gradientAccumulation must be >= 1.");
        long steps = dropLastPartial ? batchesPerEpoch / gradientAccumulation : (batchesPerEpoch + gradientAccumulation - 1) / gradientAccumulation;
        return steps > 0 ? steps : throw new ArgumentException("Fewer batches per epoch than the accumulation: no optimizer step would happen.", nameof(batchesPerEpoch));
    }

    /// <summary>Total optimizer steps of a run of <paramref name="epochs"/> epochs.</summary>
    public static long TotalSteps(long epochs, long batchesPerEpoch, int gradientAccumulation = 1, bool dropLastPartial = false)
        => checked(Check.PositiveSteps(epochs, nameof(epochs)) * OptimizerStepsPerEpoch(batchesPerEpoch, gradientAccumulation, dropLastPartial));

    /// <summary>The optimizer step reached after <paramref name="microBatches"/> micro-batches with accumulation <paramref name="gradientAccumulation"/>.</summary>
    public static long StepOfMicroBatch(long microBatches, int gradientAccumulation)
    {
        Check.NonNegativeSteps(microBatches, nameof(microBatches));
        if (gradientAccumulation < 1) throw new ArgumentOutOfRangeException(nameof(gradientAccumulation), gradientAccumulation, "gradientAccumulation must be >= 1.");
        return microBatches / gradientAccumulation;
    }

    /// <summary>Wraps a per-epoch schedule so it is driven per optimizer step.</summary>
    public static PerEpoch FromEpochs(ISchedule perEpoch, long stepsPerEpoch) => new(perEpoch, stepsPerEpoch);
}
