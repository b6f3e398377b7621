using Descent.Lab.Data;

namespace Descent.Distributed;

/// <summary>
/// Which positions of a global batch a rank computes, as torch's <c>DistributedSampler</c> deals them: rank r takes positions
/// r, r + N, r + 2N, … of the batch (N ranks). The global batch itself comes from the one seeded permutation per epoch that every
/// rank computes alike (<see cref="Lab.Data.BatchSampler"/>, seeded by seed and epoch), so after k steps the ranks together
/// have consumed exactly the first k·B positions of the epoch's permutation, whatever N is, and B need not divide by N
/// (128 on 3 ranks: 43, 43 and 42 samples). With a granularity g &gt; 1 the batch is dealt in fixed chunks of g positions
/// (chunk j to rank j mod N), the unit of the deterministic reduction.
/// <para>
/// The epoch's tail (<see cref="SamplerTail"/>, torch's <c>drop_last</c>): the trainer's <see cref="BatchSampler"/> pads or cuts
/// the epoch's permutation to a multiple of N before it is cut into global batches (<c>descent train --sampler-tail</c>);
/// <see cref="RankIndices"/> is torch's per-rank view of such an epoch for loops that deal whole epochs.
/// </para>
/// </summary>
public static class DistributedSampler
{
    /// <summary>Writes the positions (0-based, within the batch) that <paramref name="rank"/> takes into <paramref name="destination"/>; returns how many.</summary>
    /// <param name="batchLength">Samples in this global batch (the last batch of an epoch may be short).</param>
    /// <param name="rank">The rank, 0 ≤ rank &lt; size.</param>
    /// <param name="size">The number of ranks (≥ 1).</param>
    /// <param name="granularity">Positions per dealt unit (1: every N-th position; g: every N-th chunk of g positions).</param>
    /// <param name="destination">At least <see cref="MaxLocal"/> entries.</param>
    public static int LocalPositions(int batchLength, int rank, int size, int granularity, Span<int> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if ((uint)rank >= (uint)size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [0, {size}).");
        ArgumentOutOfRangeException.ThrowIfLessThan(granularity, 1);
        int count = 0;
        for (long start = (long)rank * granularity; start < batchLength; start += (long)size * granularity)
        {
            int end = (int)Math.Min(batchLength, start + granularity);
            for (int p = (int)start; p < end; p++) destination[count++] = p;
        }
        return count;
    }

    /// <summary>The most positions any rank takes from a batch of <paramref name="batchLength"/>.</summary>
    public static int MaxLocal(int batchLength, int size, int granularity)
    {
        long chunks = (batchLength + (long)granularity - 1) / granularity;
        return (int)Math.Min(batchLength, (chunks + size - 1) / size * granularity);
    }

    /// <summary>
    /// Samples per rank in an epoch of <paramref name="count"/> samples on <paramref name="size"/> ranks, torch's
    /// <c>num_samples</c>: ceil(count / N) for <see cref="SamplerTail.Pad"/>, floor(count / N) for <see cref="SamplerTail.Drop"/>, and
    /// for <see cref="SamplerTail.None"/> the most any rank gets (ceil; ranks r ≥ count mod N get one fewer).
    /// </summary>
    public static int SamplesPerRank(int count, int size, SamplerTail tail)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        long length = BatchSampler.EpochLengthOf(count, size, tail);
        return (int)((length + size - 1) / size);
    }

    /// <summary>
    /// torch <c>DistributedSampler.__iter__</c>: the epoch's <paramref name="permutation"/> is padded (repeating its first entries)
    /// or cut to a multiple of N by <paramref name="tail"/>, and rank r takes entries r, r + N, r + 2N, … of it. Writes them into
    /// <paramref name="destination"/> (at least <see cref="SamplesPerRank"/> entries) and returns how many.
    /// </summary>
    /// <param name="permutation">The epoch's order of the sample indices (the same on every rank, e.g. <see cref="BatchSampler.FillPermutation"/>).</param>
    /// <param name="rank">The rank, 0 ≤ rank &lt; size.</param>
    /// <param name="size">The number of ranks (≥ 1).</param>
    /// <param name="tail">Padding, dropping, or neither.</param>
    /// <param name="destination">Receives this rank's sample indices in order.</param>
    public static int RankIndices(ReadOnlySpan<int> permutation, int rank, int size, SamplerTail tail, Span<int> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if ((uint)rank >= (uint)size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [0, {size}).");
        if (permutation.IsEmpty) throw new ArgumentException("The permutation is empty.", nameof(permutation));
        long length = BatchSampler.EpochLengthOf(permutation.Length, size, tail);
        int count = 0;
        for (long q = rank; q < length; q += size) destination[count++] = permutation[(int)(q % permutation.Length)];
        return count;
    }
}
