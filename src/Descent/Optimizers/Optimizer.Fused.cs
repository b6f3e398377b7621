using System.Numerics;
using Descent.Numerics;

namespace Descent.Optimizers;

// The batched multi-tensor fused path of Optimizer<T> and the prefetch of the next tensor.
public sealed partial class Optimizer<T>
{
    private FusedBatch? _batch;

    // Multi-tensor path: tensors too small to be split across threads are packed into batches of about
    // FusedLoop.ChunkFor(total) elements, and the batches run as one job on the worker pool (one dispatch per step rather
    // than one serial call per tensor). Each tensor is still updated by the same fused kernel call, so the bits are
    // those of the serial loop whatever the thread count.
    private void StepFusedBatched(IFusedStep<T> fused)
    {
        var batch = _batch ??= new FusedBatch(this);
        for (int gi = 0; gi < _groups.Count; gi++) batch.Factors[gi] = _groups[gi].Get(HyperparameterKey.LearningRate).FactorAt(StepCount);
        batch.Fused = fused;
        try
        {
            foreach (var (gi, i) in batch.Large) batch.ApplyOne(gi, i);
            if (batch.Starts.Length > 1) WorkerPool.Shared.Run(batch, batch.Starts.Length - 1, _maxDegreeOfParallelism);
        }
        finally
        {
            batch.Fused = null;
        }
    }

    private sealed class FusedBatch : ChunkJob
    {
        private readonly Optimizer<T> _owner;
        private readonly (int Group, int Index)[] _small;
        public readonly (int Group, int Index)[] Large;
        /// <summary>Batch b covers _small[Starts[b]..Starts[b + 1]).</summary>
        public readonly int[] Starts;
        public readonly double[] Factors;
        public IFusedStep<T>? Fused;

        public FusedBatch(Optimizer<T> owner)
        {
            _owner = owner;
            var small = new List<(int, int)>();
            var large = new List<(int, int)>();
            var starts = new List<int> { 0 };
            long smallTotal = 0;
            foreach (var g in owner._groups)
                foreach (var p in g.Parameters)
                    if (p.Length < FusedLoop.ParallelThreshold) smallTotal += p.Length;
            // Batches of about FusedLoop.ChunkFor elements: long runs of consecutive tensors per worker, about 16 per core.
            int target = FusedLoop.ChunkFor((int)Math.Min(smallTotal, int.MaxValue), Environment.ProcessorCount);
            long filled = 0;
            for (int gi = 0; gi < owner._groups.Count; gi++)
            {
                var g = owner._groups[gi];
                for (int i = 0; i < g.Parameters.Count; i++)
                {
                    int n = g.Parameters[i].Length;
                    if (n >= FusedLoop.ParallelThreshold)
                    {
                        large.Add((gi, i));
                        continue;
                    }
                    small.Add((gi, i));
                    filled += n;
                    if (filled >= target)
                    {
                        starts.Add(small.Count);
                        filled = 0;
                    }
                }
            }
            if (starts[^1] != small.Count) starts.Add(small.Count);
            _small = small.ToArray();
            Large = large.ToArray();
            Starts = starts.ToArray();
            Factors = new double[owner._groups.Count];
        }

        public void ApplyOne(int gi, int i)
        {
            var g = _owner._groups[gi];
            var p = g.Parameters[i];
            var s = g.States[i];
            Fused!.Apply(p, s, p.Gradient, new StepContext(s.Step + 1, g.Resolved, Factors[gi], _owner._maxDegreeOfParallelism));
            s.Step++;
        }

        public override void RunChunk(int index)
        {
            int end = Starts[index + 1];
            try
            {
                for (int k = Starts[index]; k < end; k++)
                {
                    if (k + 1 < end) Announce(_small[k + 1].Group, _small[k + 1].Index);
                    else FusedLoop.ClearNext();
                    ApplyOne(_small[k].Group, _small[k].Index);
                }
            }
            finally
            {
                FusedLoop.ClearNext();
            }
        }

        private void Announce(int gi, int i) => AnnounceNext(_owner._groups[gi], i);
    }

    // The parameter, gradient and (up to three) state buffers of parameter i of g, for FusedLoop to prefetch while the
    // tensor before it is stepped (runs of small tensors; see FusedLoop.AnnounceNext).
    private static void AnnounceNext(ParameterGroup<T> g, int i)
    {
        var p = g.Parameters[i];
        var buffers = g.States[i].Buffers;
        ReadOnlySpan<T> Buffer(int b) => b < buffers.Count ? buffers[b].Value : default;
        FusedLoop.AnnounceNext<T>(p.Length, p.Value.Span, p.Gradient.Span, Buffer(0), Buffer(1), Buffer(2));
    }
}
