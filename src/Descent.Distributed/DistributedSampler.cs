namespace Descent.Distributed;

/// <summary>
/// Which positions of a global batch a rank computes, as torch's <c>DistributedSampler</c> deals them: rank r takes positions
/// r, r + N, r + 2N, … of the batch (N ranks). The global batch itself comes from the one seeded permutation per epoch that every
/// rank computes alike (<see cref="Lab.Data.BatchSampler"/>, seeded by seed and epoch), so after k steps the ranks together
/// have consumed exactly the first k·B positions of the epoch's permutation, whatever N is, and B need not divide by N
/// (128 on 3 ranks: 43, 43 and 42 samples). With a granularity g &gt; 1 the batch is dealt in fixed chunks of g positions
/// (chunk j to rank j mod N), the unit of the deterministic reduction.
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
}
