namespace Descent.Lab.Data;

/// <summary>How a <see cref="BatchSampler"/> cuts an epoch.</summary>
public enum BatchMode
{
    /// <summary>One batch holding every sample (in index order, never shuffled).</summary>
    FullBatch,

    /// <summary>Batches of a fixed size from a fresh seeded permutation each epoch.</summary>
    MiniBatch,

    /// <summary>Batches of one sample from a fresh seeded permutation each epoch.</summary>
    SingleSample,
}

/// <summary>
/// What a sampler shared by several data-parallel ranks does with an epoch whose length is not a multiple of the number of
/// ranks N, as torch's <c>DistributedSampler(drop_last=...)</c> does it. With one rank every value gives the same epoch.
/// </summary>
public enum SamplerTail
{
    /// <summary>
    /// Every sample exactly once per epoch; the ranks' shares may differ by one sample. The epoch does not depend on N, so a run
    /// on N ranks can be bit-identical to one process and can resume on another number of ranks (the default).
    /// </summary>
    None,

    /// <summary>
    /// torch <c>drop_last=False</c>: the epoch's permutation is extended by repeating its first entries until its length is a
    /// multiple of N (ceil(count / N) · N positions), so every rank gets the same number of samples; up to N − 1 samples are
    /// seen twice per epoch.
    /// </summary>
    Pad,

    /// <summary>
    /// torch <c>drop_last=True</c>: the permutation's tail is dropped to a multiple of N (floor(count / N) · N positions), so every
    /// rank gets the same number of samples; up to N − 1 samples (a different set each epoch) are not seen in that epoch.
    /// </summary>
    Drop,
}

/// <summary>A sampler's position, exportable for checkpoints.</summary>
/// <param name="Seed">The sampler's seed.</param>
/// <param name="Epoch">Epochs started so far minus one (the epoch the permutation belongs to).</param>
/// <param name="Position">Position of the next batch's first sample in the epoch (with <see cref="SamplerTail.Pad"/> it may exceed the permutation's length).</param>
/// <param name="Permutation">The current epoch's sample order.</param>
public sealed record BatchSamplerState(ulong Seed, long Epoch, int Position, int[] Permutation);

/// <summary>
/// Deterministic mini-batch index iterator: epoch <c>e</c> visits the samples in a permutation that is a pure function of
/// (seed, e); the last batch of an epoch may be short unless <c>dropLast</c> is set. No allocation per batch.
/// With several data-parallel ranks (<c>replicas</c>) the epoch's positions may be padded or cut to a multiple of the number of
/// ranks (<see cref="SamplerTail"/>) before it is cut into batches.
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _permutation;
    private int _position;

    /// <summary>Creates a sampler over <paramref name="count"/> samples.</summary>
    /// <param name="count">Number of samples (≥ 1).</param>
    /// <param name="mode">Full batch, mini-batch or single sample.</param>
    /// <param name="batchSize">Mini-batch size (1 ≤ size ≤ count); ignored by the other modes.</param>
    /// <param name="seed">Seed of the per-epoch permutations.</param>
    /// <param name="dropLast">Skip the short last batch of each epoch (mini-batch mode).</param>
    /// <param name="tail">Padding or dropping of the epoch to a multiple of <paramref name="replicas"/> (mini-batch mode only; default none).</param>
    /// <param name="replicas">The number of data-parallel ranks the epoch is shared by (≥ 1; default 1, where every tail is the same).</param>
    public BatchSampler(int count, BatchMode mode, int batchSize, ulong seed, bool dropLast = false, SamplerTail tail = SamplerTail.None, int replicas = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown batch mode.");
        if (mode == BatchMode.MiniBatch)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, count);
        }
        if (!Enum.IsDefined(tail)) throw new ArgumentOutOfRangeException(nameof(tail), tail, "Unknown sampler tail.");
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (tail != SamplerTail.None && mode != BatchMode.MiniBatch)
            throw new ArgumentException($"The sampler tail {tail} applies to mini-batches only, not to {mode}.", nameof(tail));
        long length = EpochLengthOf(count, replicas, tail);
        if (length < 1) throw new ArgumentException($"Dropping the tail of {count} samples to a multiple of {replicas} ranks leaves no sample.", nameof(tail));
        if (length > Array.MaxLength) throw new ArgumentException($"Padding {count} samples to a multiple of {replicas} ranks gives more than {Array.MaxLength} positions.", nameof(tail));
        if (mode == BatchMode.MiniBatch && batchSize > length)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch exceeds the epoch's {length} positions.");
        Count = count;
        Tail = tail;
        Replicas = replicas;
        EpochLength = (int)length;
        Mode = mode;
        BatchSize = mode switch { BatchMode.FullBatch => count, BatchMode.SingleSample => 1, _ => batchSize };
        Seed = seed;
        DropLast = dropLast && mode == BatchMode.MiniBatch;
        _permutation = new int[Math.Max(count, EpochLength)];
        Epoch = -1;
        _position = EpochLength; // the first NextBatch starts epoch 0
    }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Padding or dropping of the epoch to a multiple of <see cref="Replicas"/>.</summary>
    public SamplerTail Tail { get; }

    /// <summary>The number of data-parallel ranks the epoch is shared by.</summary>
    public int Replicas { get; }

    /// <summary>Positions in one epoch: <see cref="Count"/>, padded or cut to a multiple of <see cref="Replicas"/> by <see cref="Tail"/>.</summary>
    public int EpochLength { get; }

    /// <summary>
    /// Positions in an epoch of <paramref name="count"/> samples shared by <paramref name="replicas"/> ranks: count (none),
    /// ceil(count / replicas) · replicas (pad) or floor(count / replicas) · replicas (drop), as torch's <c>DistributedSampler</c>.
    /// </summary>
    public static long EpochLengthOf(int count, int replicas, SamplerTail tail)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        return tail switch
        {
            SamplerTail.None => count,
            SamplerTail.Pad => (count + (long)replicas - 1) / replicas * replicas,
            SamplerTail.Drop => (long)count / replicas * replicas,
            _ => throw new ArgumentOutOfRangeException(nameof(tail), tail, "Unknown sampler tail."),
        };
    }

    /// <summary>The batching mode.</summary>
    public BatchMode Mode { get; }

    /// <summary>Samples per (full) batch.</summary>
    public int BatchSize { get; }

    /// <summary>The permutation seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether short last batches are skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The epoch of the most recent batch (−1 before the first).</summary>
    public long Epoch { get; private set; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? EpochLength / BatchSize : (EpochLength + BatchSize - 1) / BatchSize;

    /// <summary>True when the most recent batch was the last one of its epoch.</summary>
    public bool EpochCompleted => Epoch >= 0 && Remaining < (DropLast ? BatchSize : 1);

    private int Remaining => EpochLength - _position;

    /// <summary>The next batch of sample indices (valid until the next call); starts a new epoch when the current one is done.</summary>
    public ReadOnlySpan<int> NextBatch()
    {
        if (Remaining == 0 || (DropLast && Remaining < BatchSize))
        {
            Epoch++;
            FillPermutation(Epoch, _permutation);
            FillTail();
            _position = 0;
        }
        int length = Math.Min(BatchSize, Remaining);
        var batch = new ReadOnlySpan<int>(_permutation, _position, length);
        _position += length;
        return batch;
    }

    /// <summary>Writes the permutation of epoch <paramref name="epoch"/> (identity in full-batch mode).</summary>
    public void FillPermutation(long epoch, Span<int> destination)
    {
        for (int i = 0; i < Count; i++) destination[i] = i;
        if (Mode == BatchMode.FullBatch) return;
        var random = new SeededRandom(SeededRandom.Hash(Seed, (ulong)epoch, 0x5A3D));
        random.Shuffle(destination[..Count]);
    }

    // Padding repeats the permutation from its start (torch: indices += indices[:padding], wrapping when padding > count).
    private void FillTail()
    {
        for (int q = Count; q < EpochLength; q++) _permutation[q] = _permutation[q % Count];
    }

    /// <summary>The current state (a copy).</summary>
    public BatchSamplerState ExportState() => new(Seed, Epoch, _position, _permutation[..Count]);

    /// <summary>
    /// Restores a state exported from a sampler with the same count, mode and batch size. The tail and number of ranks may
    /// differ (a run resumed on another number of ranks): the epoch continues at the same position of the same permutation,
    /// padded or cut for this sampler; a position at or past this sampler's epoch length means the epoch is done.
    /// </summary>
    /// <exception cref="ArgumentException">The state does not fit this sampler; nothing changes.</exception>
    public void ImportState(BatchSamplerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Seed != Seed) throw new ArgumentException($"The state's seed {state.Seed} differs from the sampler's {Seed}.", nameof(state));
        if (state.Permutation.Length != Count) throw new ArgumentException($"The state's permutation has {state.Permutation.Length} entries, not {Count}.", nameof(state));
        if (state.Position < 0) throw new ArgumentException($"The state's position {state.Position} is negative.", nameof(state));
        if (state.Epoch < -1) throw new ArgumentException("The state's epoch is below −1.", nameof(state));
        var seen = new bool[Count];
        foreach (int i in state.Permutation)
        {
            if ((uint)i >= (uint)Count || seen[i]) throw new ArgumentException("The state's permutation is not a permutation of 0..Count-1.", nameof(state));
            seen[i] = true;
        }
        state.Permutation.CopyTo(_permutation, 0);
        FillTail();
        Epoch = state.Epoch;
        _position = state.Epoch < 0 ? EpochLength : Math.Min(state.Position, EpochLength);
    }
}
