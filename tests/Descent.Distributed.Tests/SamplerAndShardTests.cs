using Descent.Lab.Data;

namespace Descent.Distributed.Tests;

public class SamplerAndShardTests
{
    [Theory]
    [InlineData(128, 3, 1)]
    [InlineData(128, 2, 1)]
    [InlineData(44, 3, 16)]
    [InlineData(5, 8, 1)]
    [InlineData(300, 3, 7)]
    public void TheRanksTogetherTakeEveryPositionOnceAndRankRTakesEveryNthUnit(int batch, int ranks, int granularity)
    {
        var seen = new int[batch];
        var buffer = new int[DistributedSampler.MaxLocal(batch, ranks, granularity)];
        for (int r = 0; r < ranks; r++)
        {
            int n = DistributedSampler.LocalPositions(batch, r, ranks, granularity, buffer);
            for (int i = 0; i < n; i++)
            {
                seen[buffer[i]]++;
                Assert.Equal(r, buffer[i] / granularity % ranks);
                if (i > 0) Assert.True(buffer[i] > buffer[i - 1]);
            }
        }
        Assert.All(seen, s => Assert.Equal(1, s));
    }

    [Fact]
    public void UnevenGlobalBatchDealsFortyThreeFortyThreeFortyTwo()
    {
        var buffer = new int[43];
        Assert.Equal([43, 43, 42], Enumerable.Range(0, 3).Select(r => DistributedSampler.LocalPositions(128, r, 3, 1, buffer)).ToArray());
        DistributedSampler.LocalPositions(128, 1, 3, 1, buffer);
        Assert.Equal([1, 4, 7], buffer[..3]);
    }

    [Theory]
    [InlineData(128, 3, SamplerTail.Pad, new[] { 43, 43, 43 })]
    [InlineData(128, 3, SamplerTail.Drop, new[] { 42, 42, 42 })]
    [InlineData(128, 3, SamplerTail.None, new[] { 43, 43, 42 })]
    [InlineData(10, 4, SamplerTail.Pad, new[] { 3, 3, 3, 3 })]
    [InlineData(10, 4, SamplerTail.Drop, new[] { 2, 2, 2, 2 })]
    [InlineData(3, 5, SamplerTail.Pad, new[] { 1, 1, 1, 1, 1 })]
    public void RankIndicesHaveTorchCountsAndTheirUnionIsTheEpoch(int count, int ranks, SamplerTail tail, int[] counts)
    {
        var sampler = new BatchSampler(count, BatchMode.MiniBatch, 1, seed: 11);
        var permutation = new int[count];
        sampler.FillPermutation(0, permutation);
        var buffer = new int[DistributedSampler.SamplesPerRank(count, ranks, tail)];
        var taken = new List<int>[ranks];
        for (int r = 0; r < ranks; r++)
        {
            int n = DistributedSampler.RankIndices(permutation, r, ranks, tail, buffer);
            taken[r] = [.. buffer[..n]];
        }
        Assert.Equal(counts, taken.Select(t => t.Count));
        Assert.Equal(counts.Max(), DistributedSampler.SamplesPerRank(count, ranks, tail));
        var union = taken.SelectMany(t => t).ToList();
        switch (tail)
        {
            case SamplerTail.None:
                Assert.Equal(Enumerable.Range(0, count), union.Order());
                break;
            case SamplerTail.Pad: // every sample, and the padding repeats the permutation from its start
                Assert.Equal(Enumerable.Range(0, count), union.Distinct().Order());
                var extra = union.GroupBy(i => i).SelectMany(g => g.Skip(1)).Order();
                Assert.Equal(Enumerable.Range(count, union.Count - count).Select(q => permutation[q % count]).Order(), extra);
                break;
            case SamplerTail.Drop: // distinct samples, all but the permutation's last count mod N
                Assert.Equal(union.Count, union.Distinct().Count());
                Assert.Equal(permutation[..(count / ranks * ranks)].Order(), union.Order());
                break;
        }
        // Rank r takes entries r, r + N, ... (torch: indices[rank:total_size:num_replicas]).
        Assert.Equal(permutation[1], taken[1][0]);
    }

    [Fact]
    public void RankIndicesAreAPureFunctionOfSeedAndEpoch()
    {
        int[] Take(ulong seed, long epoch)
        {
            var permutation = new int[128];
            new BatchSampler(128, BatchMode.MiniBatch, 1, seed).FillPermutation(epoch, permutation);
            var buffer = new int[43];
            return buffer[..DistributedSampler.RankIndices(permutation, 2, 3, SamplerTail.Pad, buffer)];
        }
        Assert.Equal(Take(5, 3), Take(5, 3));
        Assert.NotEqual(Take(5, 3), Take(5, 4));
        Assert.NotEqual(Take(5, 3), Take(6, 3));
    }

    [Fact]
    public void WhenTheRanksDivideTheGlobalBatchTheTrainersDealingIsTorchsPerRankView()
    {
        // 128 samples, global batch 48 on 3 ranks, padded: the batches of the trainer's sampler dealt by LocalPositions give
        // each rank exactly DistributedSampler.RankIndices of the epoch's permutation, in order.
        var sampler = new BatchSampler(128, BatchMode.MiniBatch, 48, seed: 3, tail: SamplerTail.Pad, replicas: 3);
        var permutation = new int[128];
        sampler.FillPermutation(0, permutation);
        var dealt = Enumerable.Range(0, 3).Select(_ => new List<int>()).ToArray();
        var positions = new int[16];
        for (int b = 0; b < sampler.BatchesPerEpoch; b++)
        {
            var batch = sampler.NextBatch().ToArray();
            for (int r = 0; r < 3; r++)
            {
                int n = DistributedSampler.LocalPositions(batch.Length, r, 3, 1, positions);
                dealt[r].AddRange(positions[..n].Select(p => batch[p]));
            }
        }
        var torch = new int[43];
        for (int r = 0; r < 3; r++)
        {
            int n = DistributedSampler.RankIndices(permutation, r, 3, SamplerTail.Pad, torch);
            Assert.Equal(torch[..n], dealt[r]);
        }
    }

    private static readonly TensorSlot[] Tensors =
        [new("W1", [10, 5], 0, 50), new("b1", [10], 50, 10), new("W2", [3, 10], 60, 30), new("b2", [3], 90, 3)];

    [Fact]
    public void ElementWiseShardsSplitTensorsIntoEqualRanges()
    {
        var plan = new ShardPlan(Tensors, 3, elementWise: true);
        Assert.Equal([31L, 31, 31], plan.Counts());
        Assert.Equal([(0, 31L, 19L), (1, 0L, 10L), (2, 0L, 2L)], plan.Pieces(1).ToArray());
    }

    [Fact]
    public void PerTensorShardsCutOnlyAtTensorBoundaries()
    {
        var plan = new ShardPlan(Tensors, 3, elementWise: false);
        Assert.Equal(93, plan.Counts().Sum());
        foreach (int r in new[] { 0, 1, 2 })
            Assert.All(plan.Pieces(r), p => Assert.Equal((0L, Tensors[p.Tensor].Length), (p.From, p.Length)));
        Assert.Equal([50L, 10, 33], plan.Counts());
        var many = new ShardPlan(Tensors, 8, elementWise: false); // more ranks than tensors: some shards are empty
        Assert.Equal(93, many.Counts().Sum());
        Assert.Equal(4, Enumerable.Range(0, 8).Sum(r => many.Pieces(r).Count()));
    }

    [Theory]
    [InlineData(GradientReduction.Mpi, 0)]
    [InlineData(GradientReduction.Mpi, 1)]
    [InlineData(GradientReduction.Deterministic, 1)]
    public void TimingTheWaitApartChangesNoResultAndIsTimed(GradientReduction reduction, int zero)
    {
        var (train, _) = Mnist.LoadDirectory(Mnist.FindDefaultDirectory());
        (float[] Values, double Wait) Run(bool apart)
        {
            var dp = new DataParallel(new SlowBarrier(), new DataParallelOptions { Reduction = reduction, ZeroStage = zero, TimeWaitApart = apart });
            var model = new Descent.Lab.Models.Mlp([train.FeatureCount, 16, 10], 32, 3);
            var optimizer = dp.CreateOptimizer(() => Descent.Optimizers.Optim.AdamW<float>(1e-3), model);
            var loss = new Descent.Losses.SoftmaxCrossEntropy<float>(Descent.Losses.Reduction.Sum);
            var features = new float[32 * train.FeatureCount];
            var labels = new int[32];
            var logitGradient = new float[32 * 10];
            double Source(ReadOnlySpan<int> indices)
            {
                int n = indices.Length;
                train.Gather(indices, features.AsSpan(0, n * train.FeatureCount), labels.AsSpan(0, n));
                var logits = model.Forward(features, 0, n);
                double l = loss.Evaluate(logits, labels.AsSpan(0, n), 10, logitGradient.AsSpan(0, n * 10));
                model.Backward(logitGradient.AsSpan(0, n * 10));
                return l;
            }
            var sampler = new BatchSampler(train.Count, BatchMode.MiniBatch, 32, 7);
            for (int step = 0; step < 3; step++)
            {
                dp.ComputeGradient(sampler.NextBatch(), Source);
                dp.Step(optimizer);
            }
            return (model.Values.ToArray(), dp.WaitSeconds);
        }
        var plain = Run(false);
        var apart = Run(true);
        Assert.Equal(plain.Values, apart.Values);
        Assert.Equal(0, plain.Wait);
        // Three steps, each with at least one barrier of at least 2 ms.
        Assert.True(apart.Wait >= 0.006, $"the barriers' time is recorded: {apart.Wait} s");
    }

    /// <summary>One rank whose barrier takes 2 ms (the wait for a slower rank).</summary>
    private sealed class SlowBarrier : ICommunicator
    {
        private readonly ICommunicator _inner = SingleRankCommunicator.Instance;
        public int Rank => _inner.Rank;
        public int Size => _inner.Size;
        public void Allreduce<T>(Span<T> data, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged => _inner.Allreduce(data, operation);
        public void ReduceScatterBlock<T>(ReadOnlySpan<T> send, Span<T> receive, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged => _inner.ReduceScatterBlock(send, receive, operation);
        public void ReduceScatter<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<long> counts, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged => _inner.ReduceScatter(send, receive, counts, operation);
        public void Allgather<T>(Span<T> data) where T : unmanaged => _inner.Allgather(data);
        public void Allgather<T>(Span<T> data, ReadOnlySpan<long> counts) where T : unmanaged => _inner.Allgather(data, counts);
        public void Bcast<T>(Span<T> data, int root = 0) where T : unmanaged => _inner.Bcast(data, root);
        public void Barrier() => Thread.Sleep(2);
        public void Abort(int exitCode) => _inner.Abort(exitCode);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(SingleRankCommunicator.Instance, new DataParallelOptions { ZeroStage = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(SingleRankCommunicator.Instance, new DataParallelOptions { ChunkSize = 0 }));
    }
}

public class CostModelTests
{
    [Fact]
    public void RingAllreduceMovesTwoNMinusOneOverNOfTheBytesAndZeroOneTheSame()
    {
        var model = new CostModel(Latency: 1e-6, Bandwidth: 1e9);
        Assert.Equal(0, model.RingAllreduce(1, 1e6));
        Assert.Equal(2 * 3 * 1e-6 + 2.0 * 3 / 4 * 1e6 / 1e9, model.RingAllreduce(4, 1e6), 15);
        Assert.Equal(model.RingAllreduce(8, 4e6), model.Zero1(8, 4e6), 15);
    }

    [Fact]
    public void FitRecoversLatencyAndBandwidthFromExactSamples()
    {
        var truth = new CostModel(5e-6, 3e9);
        var samples = new List<(int, double, double)>();
        foreach (int n in new[] { 2, 3 })
            foreach (double bytes in new[] { 1e3, 1e5, 1e7 })
                samples.Add((n, bytes, truth.RingAllreduce(n, bytes)));
        var fitted = CostModel.FitAllreduce(samples);
        Assert.Equal(truth.Latency, fitted.Latency, 1e-12);
        Assert.Equal(truth.Bandwidth, fitted.Bandwidth, 1e-3 * truth.Bandwidth);
    }
}
