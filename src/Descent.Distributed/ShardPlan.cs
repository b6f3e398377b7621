namespace Descent.Distributed;

/// <summary>One tensor of a flat parameter buffer: name, shape, offset and length.</summary>
public readonly record struct TensorSlot(string Name, int[] Shape, long Offset, long Length);

/// <summary>
/// How ZeRO stage 1 splits a flat parameter buffer of <see cref="Total"/> elements across ranks: rank r owns the contiguous range
/// [<see cref="Start"/>(r), <see cref="Start"/>(r + 1)). Element-wise optimizers split at any element (ranges of equal length up
/// to one element); optimizers whose rules look at a whole tensor (Muon, LAMB's and LARS's trust ratios, Adafactor's factored
/// moments, Cautious's mask mean) split only at tensor boundaries, the cut nearest to the equal split.
/// </summary>
public sealed class ShardPlan
{
    private readonly long[] _starts;

    /// <summary>Plans <paramref name="ranks"/> shards over <paramref name="tensors"/> (contiguous, in order from offset 0).</summary>
    public ShardPlan(IReadOnlyList<TensorSlot> tensors, int ranks, bool elementWise)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        long total = 0;
        foreach (var t in tensors)
        {
            if (t.Offset != total) throw new ArgumentException($"Tensor '{t.Name}' starts at {t.Offset}, not at {total}: the tensors must be contiguous.", nameof(tensors));
            total += t.Length;
        }
        Tensors = tensors.ToArray();
        Total = total;
        ElementWise = elementWise;
        _starts = new long[ranks + 1];
        _starts[ranks] = total;
        for (int r = 1; r < ranks; r++)
        {
            long target = (long)((Int128)total * r / ranks);
            if (!elementWise)
            {
                long best = _starts[r - 1], bestDistance = long.MaxValue;
                long boundary = 0;
                foreach (var t in Tensors.Append(default))
                {
                    if (boundary >= _starts[r - 1] && Math.Abs(boundary - target) < bestDistance) (best, bestDistance) = (boundary, Math.Abs(boundary - target));
                    boundary += t.Length;
                }
                target = best;
            }
            _starts[r] = Math.Max(target, _starts[r - 1]);
        }
    }

    /// <summary>The tensors.</summary>
    public IReadOnlyList<TensorSlot> Tensors { get; }

    /// <summary>Elements in all.</summary>
    public long Total { get; }

    /// <summary>Whether shards may split a tensor.</summary>
    public bool ElementWise { get; }

    /// <summary>The number of shards.</summary>
    public int Ranks => _starts.Length - 1;

    /// <summary>First element of rank <paramref name="rank"/>'s shard (<see cref="Total"/> for <paramref name="rank"/> = <see cref="Ranks"/>).</summary>
    public long Start(int rank) => _starts[rank];

    /// <summary>Elements in each shard, in rank order.</summary>
    public long[] Counts()
    {
        var counts = new long[Ranks];
        for (int r = 0; r < Ranks; r++) counts[r] = _starts[r + 1] - _starts[r];
        return counts;
    }

    /// <summary>The pieces of tensors in rank <paramref name="rank"/>'s shard: (tensor index, first element within the tensor, length).</summary>
    public IEnumerable<(int Tensor, long From, long Length)> Pieces(int rank)
    {
        long lo = _starts[rank], hi = _starts[rank + 1];
        for (int i = 0; i < Tensors.Count; i++)
        {
            var t = Tensors[i];
            long a = Math.Max(lo, t.Offset), b = Math.Min(hi, t.Offset + t.Length);
            if (a < b || (t.Length == 0 && t.Offset >= lo && t.Offset < hi)) yield return (i, a - t.Offset, Math.Max(0, b - a));
        }
    }
}
