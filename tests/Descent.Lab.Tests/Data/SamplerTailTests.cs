using Descent.Lab.Data;

namespace Descent.Lab.Tests.Data;

/// <summary>The epoch's tail shared by data-parallel ranks (torch <c>DistributedSampler(drop_last=...)</c>) in <see cref="BatchSampler"/>.</summary>
public class SamplerTailTests
{
    private static int[] Epoch(BatchSampler sampler)
    {
        var all = new List<int>();
        for (int i = 0; i < sampler.BatchesPerEpoch; i++) all.AddRange(sampler.NextBatch().ToArray());
        Assert.True(sampler.EpochCompleted);
        return [.. all];
    }

    [Theory]
    [InlineData(128, 3, 128, 129, 126)]
    [InlineData(128, 2, 128, 128, 128)]
    [InlineData(5, 8, 5, 8, 0)]
    [InlineData(300, 7, 300, 301, 294)]
    public void EpochLengthPadsUpOrDropsDownToAMultipleOfTheRanks(int count, int ranks, long none, long pad, long drop)
    {
        Assert.Equal(none, BatchSampler.EpochLengthOf(count, ranks, SamplerTail.None));
        Assert.Equal(pad, BatchSampler.EpochLengthOf(count, ranks, SamplerTail.Pad));
        Assert.Equal(drop, BatchSampler.EpochLengthOf(count, ranks, SamplerTail.Drop));
    }

    [Fact]
    public void PaddingRepeatsTheStartOfThePermutationAndDroppingCutsItsEnd()
    {
        var none = new BatchSampler(128, BatchMode.MiniBatch, 48, seed: 5);
        var pad = new BatchSampler(128, BatchMode.MiniBatch, 48, seed: 5, tail: SamplerTail.Pad, replicas: 3);
        var drop = new BatchSampler(128, BatchMode.MiniBatch, 48, seed: 5, tail: SamplerTail.Drop, replicas: 3);
        var permutation = Epoch(none);
        Assert.Equal(Enumerable.Range(0, 128), permutation.Order());
        Assert.Equal([.. permutation, permutation[0]], Epoch(pad));      // 129 = 43 per rank
        Assert.Equal(permutation[..126], Epoch(drop));                     // 126 = 42 per rank
        var fresh = new BatchSampler(128, BatchMode.MiniBatch, 48, seed: 5, tail: SamplerTail.Pad, replicas: 3);
        Assert.Equal([48, 48, 33], Enumerable.Range(0, fresh.BatchesPerEpoch).Select(_ => fresh.NextBatch().Length));
        // The next epoch is a fresh permutation, padded from its own start.
        var second = Epoch(pad);
        Assert.Equal(second[0], second[128]);
        Assert.Equal(Enumerable.Range(0, 128), second[..128].Order());
        Assert.NotEqual(permutation, second[..128]);
    }

    [Fact]
    public void PaddingWrapsAroundWhenThereAreMoreRanksThanSamples()
    {
        var pad = new BatchSampler(5, BatchMode.MiniBatch, 5, seed: 2, tail: SamplerTail.Pad, replicas: 12);
        var epoch = Epoch(pad);
        Assert.Equal(12, epoch.Length);
        for (int q = 5; q < 12; q++) Assert.Equal(epoch[q % 5], epoch[q]);
        Assert.Throws<ArgumentException>(() => new BatchSampler(5, BatchMode.MiniBatch, 1, seed: 2, tail: SamplerTail.Drop, replicas: 8));
    }

    [Theory]
    [InlineData(SamplerTail.Pad)]
    [InlineData(SamplerTail.Drop)]
    public void OneRankGivesTheSameBatchesForEveryTail(SamplerTail tail)
    {
        var none = new BatchSampler(301, BatchMode.MiniBatch, 64, seed: 9);
        var other = new BatchSampler(301, BatchMode.MiniBatch, 64, seed: 9, tail: tail, replicas: 1);
        for (int i = 0; i < 12; i++) Assert.Equal(none.NextBatch().ToArray(), other.NextBatch().ToArray());
    }

    [Fact]
    public void ResumingOnAnotherNumberOfRanksContinuesTheSamePermutationWithThatTail()
    {
        var two = new BatchSampler(301, BatchMode.MiniBatch, 100, seed: 4, tail: SamplerTail.Pad, replicas: 2);
        two.NextBatch();
        two.NextBatch();
        var state = two.ExportState();
        Assert.Equal(301, state.Permutation.Length);
        var three = new BatchSampler(301, BatchMode.MiniBatch, 100, seed: 4, tail: SamplerTail.Pad, replicas: 3);
        three.ImportState(state);
        int[] rest = [.. three.NextBatch(), .. three.NextBatch()];
        Assert.Equal([.. state.Permutation[200..], state.Permutation[0], state.Permutation[1]], rest); // 303 positions on 3 ranks
        Assert.True(three.EpochCompleted);
    }

    [Fact]
    public void TailIsValidated()
    {
        Assert.Throws<ArgumentException>(() => new BatchSampler(10, BatchMode.FullBatch, 10, 1, tail: SamplerTail.Pad, replicas: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchSampler(10, BatchMode.MiniBatch, 4, 1, replicas: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchSampler(10, BatchMode.MiniBatch, 4, 1, tail: (SamplerTail)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchSampler(10, BatchMode.MiniBatch, 10, 1, tail: SamplerTail.Drop, replicas: 4)); // 8 positions < batch 10
    }
}
