using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// A row-sparse gradient for an embedding-style parameter stored as rows of <see cref="RowLength"/> values (PyTorch's sparse
/// COO gradient of <c>nn.Embedding(sparse=True)</c>): the indices of the rows that received a gradient and one row of values
/// each. Set it on <see cref="Parameter{T}.SparseGradient"/>; the optimizer then steps lazily: only the rows present update
/// their parameter values and state (moments), as <c>torch.optim.SparseAdam</c>. Works with every optimizer whose chain is
/// element-wise (<see cref="Optimizer{T}.SupportsSparseGradients"/>: SparseAdam, Adam, SGD, RMSprop, AdaGrad, Yogi, ...).
/// </summary>
/// <remarks>Repeated row indices are coalesced (their values summed, in the order given) and the rows sorted, as PyTorch's
/// <c>coalesce()</c>. Buffers grow to the largest batch and are reused: setting rows allocates nothing after that.</remarks>
public sealed class SparseGradient<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private int[] _rows = [];
    private T[] _values = [];
    private int[] _order = [];

    /// <summary>Creates an empty sparse gradient for rows of <paramref name="rowLength"/> values.</summary>
    public SparseGradient(int rowLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowLength, 1);
        RowLength = rowLength;
    }

    /// <summary>Values per row (the parameter's length divided by its row count).</summary>
    public int RowLength { get; }

    /// <summary>The number of distinct rows present.</summary>
    public int Count { get; private set; }

    /// <summary>The distinct rows present, ascending.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    /// <summary>The values of the rows present, [Count × RowLength].</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, Count * RowLength);

    /// <summary>Sets the gradient: <paramref name="values"/> holds one row per entry of <paramref name="rows"/> (repeats allowed).</summary>
    public void Set(ReadOnlySpan<int> rows, ReadOnlySpan<T> values)
    {
        if ((long)rows.Length * RowLength != values.Length)
            throw new ArgumentException($"values has length {values.Length}, not {rows.Length} rows x {RowLength}.", nameof(values));
        for (int i = 0; i < rows.Length; i++)
            if (rows[i] < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"rows[{i}] is negative.");
        if (_order.Length < rows.Length) _order = new int[rows.Length];
        if (_rows.Length < rows.Length) _rows = new int[rows.Length];
        if (_values.Length < values.Length) _values = new T[values.Length];
        var order = _order.AsSpan(0, rows.Length);
        for (int i = 0; i < order.Length; i++) order[i] = i;
        // insertion sort by row, stable (equal rows keep their order): batches are small and this allocates nothing
        for (int i = 1; i < order.Length; i++)
        {
            int current = order[i], j = i - 1;
            while (j >= 0 && rows[order[j]] > rows[current]) { order[j + 1] = order[j]; j--; }
            order[j + 1] = current;
        }
        int count = 0;
        for (int i = 0; i < order.Length; i++)
        {
            int row = rows[order[i]];
            var source = values.Slice(order[i] * RowLength, RowLength);
            if (count > 0 && _rows[count - 1] == row)
            {
                var target = _values.AsSpan((count - 1) * RowLength, RowLength);
                for (int k = 0; k < RowLength; k++) target[k] += source[k];
            }
            else
            {
                _rows[count] = row;
                source.CopyTo(_values.AsSpan(count * RowLength, RowLength));
                count++;
            }
        }
        Count = count;
    }
}
