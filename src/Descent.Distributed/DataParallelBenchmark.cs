using System.Diagnostics;
using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Losses;
using Descent.Optimizers;

namespace Descent.Distributed;

/// <summary>One measured configuration of <see cref="DataParallelBenchmark"/>: medians over the timed steps, slowest rank.</summary>
/// <param name="Model">Model description.</param>
/// <param name="Parameters">Parameter count.</param>
/// <param name="Ranks">Ranks.</param>
/// <param name="GlobalBatch">Global batch.</param>
/// <param name="Zero">ZeRO stage.</param>
/// <param name="ComputeSeconds">Forward and backward of the rank's share of the batch.</param>
/// <param name="CommunicationSeconds">Inside collectives (allreduce, or reduce-scatter + allgather) after every rank has arrived: the transfer.</param>
/// <param name="StepSeconds">The optimizer step.</param>
/// <param name="TotalSeconds">The whole step, wall time.</param>
/// <param name="WaitSeconds">At the barriers before the collectives: waiting for the slowest rank (<see cref="DataParallelOptions.TimeWaitApart"/>).</param>
public sealed record DataParallelStepTiming(string Model, long Parameters, int Ranks, int GlobalBatch, int Zero,
    double ComputeSeconds, double CommunicationSeconds, double StepSeconds, double TotalSeconds, double WaitSeconds);

/// <summary>
/// Times data-parallel steps (compute vs communication vs optimizer step) of an MLP on MNIST inputs, and allreduce alone over
/// growing messages (for <see cref="CostModel.FitAllreduce"/>). Every rank must call it; the results are the same on every rank.
/// A benchmark, not a test: the figures depend on the machine and its load.
/// </summary>
public static class DataParallelBenchmark
{
    /// <summary>Times <paramref name="steps"/> steps (after <paramref name="warmup"/>) of AdamW on an MLP with <paramref name="layers"/>.</summary>
    public static DataParallelStepTiming Steps(ICommunicator communicator, Dataset data, IReadOnlyList<int> layers, string name, int globalBatch, int zero, int steps, int warmup = 2)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(data);
        var dp = new DataParallel(communicator, new DataParallelOptions { ZeroStage = zero, TimeWaitApart = true });
        int local = DistributedSampler.MaxLocal(globalBatch, communicator.Size, 1);
        var model = new Mlp(layers, Math.Max(1, local), 1);
        var optimizer = dp.CreateOptimizer(() => OptimizerCatalog.Parse("adamw(lr=1e-4, weight_decay=0.01)").Create<float>(), model);
        var loss = new SoftmaxCrossEntropy<float>(Reduction.Sum);
        var features = new float[Math.Max(1, local) * model.InputSize];
        var labels = new int[Math.Max(1, local)];
        var logitGradient = new float[Math.Max(1, local) * model.OutputSize];
        double Source(ReadOnlySpan<int> indices)
        {
            int n = indices.Length;
            if (n == 0) { Array.Clear(model.Gradients); return 0; }
            data.Gather(indices, features.AsSpan(0, n * model.InputSize), labels.AsSpan(0, n));
            var logits = model.Forward(features, 0, n);
            double l = loss.Evaluate(logits, labels.AsSpan(0, n), model.OutputSize, logitGradient.AsSpan(0, n * model.OutputSize));
            model.Backward(logitGradient.AsSpan(0, n * model.OutputSize));
            return l;
        }
        var sampler = new BatchSampler(data.Count, BatchMode.MiniBatch, globalBatch, 7);
        var rows = new double[steps * 5];
        for (int s = -warmup; s < steps; s++)
        {
            communicator.Barrier();
            dp.ResetTimings();
            long t0 = Stopwatch.GetTimestamp();
            dp.ComputeGradient(sampler.NextBatch(), Source);
            dp.Step(optimizer);
            double total = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (s < 0) continue;
            var (c, m, o) = dp.Timings;
            rows[s * 5] = c; rows[s * 5 + 1] = m; rows[s * 5 + 2] = o; rows[s * 5 + 3] = total; rows[s * 5 + 4] = dp.WaitSeconds;
        }
        communicator.Allreduce<double>(rows, ReduceOperation.Max); // the slowest rank of each step
        double Median(int column) => Descent.Distributed.DataParallelBenchmark.Median(Enumerable.Range(0, steps).Select(s => rows[s * 5 + column]));
        return new DataParallelStepTiming(name, model.Values.Length, communicator.Size, globalBatch, zero, Median(0), Median(1), Median(2), Median(3), Median(4));
    }

    /// <summary>Median seconds of an in-place float allreduce of each size in <paramref name="sizes"/> (elements), <paramref name="repeats"/> times each.</summary>
    public static IReadOnlyList<(long Elements, double Seconds)> Allreduce(ICommunicator communicator, IReadOnlyList<long> sizes, int repeats)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(sizes);
        var results = new List<(long, double)>();
        foreach (long n in sizes)
        {
            var buffer = new float[n];
            var times = new double[repeats];
            communicator.Allreduce<float>(buffer); // warm up
            for (int r = 0; r < repeats; r++)
            {
                communicator.Barrier();
                long t0 = Stopwatch.GetTimestamp();
                communicator.Allreduce<float>(buffer);
                times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
            communicator.Allreduce<double>(times, ReduceOperation.Max);
            results.Add((n, Median(times)));
        }
        return results;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
