using Descent.Lab.Models;
using Descent.Optimizers;
using Descent.Serialization;

namespace Descent.Lab.Training;

/// <summary>
/// Computes the summed loss gradient of the samples <paramref name="indices"/> (training-set indices; may be empty) into the
/// model's <see cref="Mlp.Gradients"/>, overwriting it, and returns the summed loss.
/// </summary>
public delegate double GradientSource(ReadOnlySpan<int> indices);

/// <summary>
/// The seam through which a <see cref="Trainer"/> trains data-parallel across processes (torch DDP, Horovod): which of the global
/// batch's samples this rank computes, how gradients are reduced, which parameters this rank's optimizer steps (ZeRO), and how
/// optimizer state is consolidated for checkpoints. The trainer without it is the single-process loop, unchanged.
/// Implemented over MPI in <c>Descent.Distributed</c>; the lab itself has no MPI dependency.
/// </summary>
public interface IDataParallel
{
    /// <summary>This process's rank; rank 0 alone prints, writes metrics and checkpoints.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>
    /// Registers <paramref name="model"/>'s parameters (all of them, or this rank's shard under ZeRO) with the optimizer that
    /// <paramref name="create"/> builds and configures, and returns it. Also makes every rank start from rank 0's parameters.
    /// </summary>
    Optimizer<float> CreateOptimizer(Func<Optimizer<float>> create, Mlp model);

    /// <summary>
    /// One step's gradient: this rank computes its share of the global <paramref name="batch"/> with <paramref name="source"/>,
    /// the shares are summed across ranks and scaled once by 1 / batch length, into the buffers the optimizer reads.
    /// Returns the mean loss over the global batch (the same on every rank).
    /// </summary>
    double ComputeGradient(ReadOnlySpan<int> batch, GradientSource source);

    /// <summary>Steps <paramref name="optimizer"/> (the one from <see cref="CreateOptimizer"/>) and makes the parameters equal on every rank.</summary>
    void Step(Optimizer<float> optimizer);

    /// <summary>Collective: writes the whole optimizer state (ZeRO shards gathered) under <paramref name="prefix"/> on rank 0.</summary>
    void SaveOptimizer(Checkpoint checkpoint, string prefix, Optimizer<float> optimizer);

    /// <summary>Loads this rank's part of the whole optimizer state saved under <paramref name="prefix"/> (any number of ranks wrote it).</summary>
    void LoadOptimizer(Checkpoint checkpoint, string prefix, Optimizer<float> optimizer);
}
