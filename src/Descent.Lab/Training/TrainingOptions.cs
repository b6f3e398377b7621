using Descent.Lab.Data;
using Descent.Optimizers;

namespace Descent.Lab.Training;

/// <summary>How a <see cref="Trainer"/> trains: optimizer and schedule (text forms), epochs, batching, seed, policies, output.</summary>
public sealed record TrainingOptions
{
    /// <summary>The optimizer in the text form of <see cref="OptimizerCatalog"/>, e.g. <c>adamw(lr=3e-3, weight_decay=0.01)</c>.</summary>
    public string Optimizer { get; init; } = "adamw(lr=3e-3, weight_decay=0.01)";

    /// <summary>The learning-rate schedule in the text form of <see cref="Schedules.ScheduleText"/> (null or empty: constant).
    /// Open totals (<c>onecycle(max=3e-3)</c>) are bound to the run's optimizer steps. A schedule that drives momentum
    /// (1cycle, cyclic) also drives SGD's momentum or Adam's beta1.</summary>
    public string? Schedule { get; init; }

    /// <summary>Epochs in total (≥ 0).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size (mini-batch mode).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Full batch, mini-batch (default) or single sample.</summary>
    public BatchMode Mode { get; init; } = BatchMode.MiniBatch;

    /// <summary>
    /// Data-parallel runs: padding (<see cref="SamplerTail.Pad"/>, torch <c>DistributedSampler(drop_last=False)</c>) or dropping
    /// (<see cref="SamplerTail.Drop"/>, <c>drop_last=True</c>) of each epoch to a multiple of the number of ranks, or neither
    /// (<see cref="SamplerTail.None"/>, default: the epoch is the same on any number of ranks). Mini-batch mode only; with one
    /// process every value gives the same run. Saved in checkpoints.
    /// </summary>
    public SamplerTail SamplerTail { get; init; } = SamplerTail.None;

    /// <summary>Gradient accumulation: batches averaged per optimizer step (≥ 1; default 1).</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Seed of the initialisation and of the data order.</summary>
    public ulong Seed { get; init; }

    /// <summary>The optimizer's policy for NaN or infinite gradients (the loop itself always stops on a non-finite loss).</summary>
    public NonFinitePolicy NonFinitePolicy { get; init; } = NonFinitePolicy.Propagate;

    /// <summary>Where metrics (metrics.csv, metrics.jsonl) and the checkpoint (checkpoint.ckpt) go; null: no files.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>
    /// Threads of the model's matrix products, the loss and the optimizer (default <see cref="Descent.Numerics.Parallelism.ProcessDefault"/>);
    /// results are bit-identical for every value, so it is not part of a checkpoint.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = Descent.Numerics.Parallelism.ProcessDefault;

    /// <summary>Stop (saving a checkpoint) once this many epochs are complete, as if interrupted there; null: run all <see cref="Epochs"/>.</summary>
    public int? StopAfterEpochs { get; init; }

    /// <summary>
    /// Testing aid: a pause in the middle of every checkpoint write (see <see cref="Descent.Serialization.CheckpointFile.Save(string, Descent.Serialization.Checkpoint, TimeSpan)"/>),
    /// so that crash tests can kill the process while a checkpoint is half written. Default zero; not saved in checkpoints.
    /// </summary>
    public TimeSpan CheckpointWriteDelay { get; init; }

    /// <summary>Validates the options; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"epochs must be >= 0; got {Epochs}.");
        if (Mode == BatchMode.MiniBatch && BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"batch must be >= 1; got {BatchSize}.");
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown batch mode.");
        if (!Enum.IsDefined(SamplerTail)) throw new ArgumentOutOfRangeException(nameof(SamplerTail), SamplerTail, "Unknown sampler tail.");
        if (SamplerTail != SamplerTail.None && Mode != BatchMode.MiniBatch) throw new ArgumentException($"the sampler tail {SamplerTail.ToString().ToLowerInvariant()} applies to mini-batches only.", nameof(SamplerTail));
        if (AccumulationSteps < 1) throw new ArgumentOutOfRangeException(nameof(AccumulationSteps), AccumulationSteps, $"accumulation must be >= 1; got {AccumulationSteps}.");
        if (!Enum.IsDefined(NonFinitePolicy)) throw new ArgumentOutOfRangeException(nameof(NonFinitePolicy), NonFinitePolicy, "Unknown non-finite policy.");
        Descent.Numerics.Parallelism.Validate(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
        if (StopAfterEpochs is < 0) throw new ArgumentOutOfRangeException(nameof(StopAfterEpochs), StopAfterEpochs, "StopAfterEpochs must be >= 0.");
        ArgumentException.ThrowIfNullOrWhiteSpace(Optimizer, nameof(Optimizer));
    }
}

/// <summary>Why <see cref="Trainer.Run"/> returned.</summary>
public enum TrainingStatus
{
    /// <summary>All epochs done.</summary>
    Completed,
    /// <summary>Stopped at <see cref="TrainingOptions.StopAfterEpochs"/>; a checkpoint was saved.</summary>
    Stopped,
    /// <summary>Cancelled (Ctrl+C); a checkpoint of the exact position was saved.</summary>
    Cancelled,
    /// <summary>The loss became NaN or infinite; nothing was saved after the last good checkpoint.</summary>
    Diverged,
}

/// <summary>Progress of one training step, for progress bars.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, long Step, double Loss, double LearningRate, TimeSpan Elapsed);

/// <summary>The metrics of one epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Step">Optimizer steps applied so far.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches (as they were seen, before each step).</param>
/// <param name="TestLoss">Mean cross-entropy on the test set after the epoch.</param>
/// <param name="TestAccuracy">Test accuracy after the epoch.</param>
/// <param name="LearningRate">The learning rate of the next step.</param>
/// <param name="TrainSeconds">Wall time of the epoch's training steps (evaluation excluded).</param>
/// <param name="EvalSeconds">Wall time of the evaluation.</param>
public sealed record EpochMetrics(int Epoch, long Step, double TrainLoss, double TestLoss, double TestAccuracy, double LearningRate, double TrainSeconds, double EvalSeconds);

/// <summary>What a run returns.</summary>
public sealed record TrainingResult(TrainingStatus Status, string Message, int EpochsCompleted, IReadOnlyList<EpochMetrics> History,
    double TestLoss, double TestAccuracy, double Seconds, string ParamsSha256, string? CheckpointPath);
