using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Multi-label margin (hinge) loss, PyTorch <c>MultiLabelMarginLoss</c>: for a row x whose target lists the class
/// indices J (ended by the first -1, as in PyTorch), ℓ = Σ_{j∈J} Σ_{i∉J} max(0, 1 - (x_j - x_i)) / C; Mean averages the rows.
/// </summary>
public sealed class MultiLabelMargin<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private bool[] _isTarget = [];

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">Mean (default), Sum or None (one loss per row).</param>
    public MultiLabelMargin(Reduction reduction = Reduction.Mean)
    {
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradient; <paramref name="input"/> and <paramref name="targets"/> are [rows × classes], each target row
    /// holding class indices up to the first -1 (the rest is ignored). Not safe to call from several threads on one instance.</summary>
    public T Evaluate(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, int classes, Span<T> gradient, Span<T> losses = default)
    {
        int rows = classes > 0 ? input.Length / classes : 0;
        LossGuard.Shape(input.Length, rows, classes, nameof(input));
        LossGuard.SameLength(input.Length, targets.Length, nameof(targets), "same shape as the input");
        LossGuard.SameLength(input.Length, gradient.Length, nameof(gradient), "same shape as the input");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < classes; c++)
            {
                int t = targets[r * classes + c];
                if (t == -1) break;
                if ((uint)t >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(nameof(targets), t, $"targets[{r * classes + c}] = {t} is not a class index in [0, {classes - 1}] nor the end marker -1.");
                }
            }
        }
        if (rows == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        if (_isTarget.Length < classes) _isTarget = new bool[classes];
        var isTarget = _isTarget.AsSpan(0, classes);
        T perClass = T.One / T.CreateTruncating(classes);
        T scale = (Reduction == Reduction.Mean ? T.One / T.CreateTruncating(rows) : T.One) * perClass;
        gradient.Clear();
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * classes, classes);
            var g = gradient.Slice(r * classes, classes);
            var t = targets.Slice(r * classes, classes);
            isTarget.Clear();
            int count = 0;
            while (count < classes && t[count] != -1) isTarget[t[count++]] = true;
            T row = T.Zero;
            for (int k = 0; k < count; k++)
            {
                int j = t[k];
                for (int i = 0; i < classes; i++)
                {
                    if (isTarget[i]) continue;
                    T z = T.One - x[j] + x[i];
                    if (z > T.Zero)
                    {
                        row += z;
                        g[i] += scale;
                        g[j] -= scale;
                    }
                }
            }
            row *= perClass;
            if (Reduction == Reduction.None) losses[r] = row;
            total += row;
        }
        return Reduction == Reduction.Mean ? total / T.CreateTruncating(rows) : total;
    }
}
