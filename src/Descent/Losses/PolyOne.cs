using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Poly-1 loss (Leng et al. 2022, "PolyLoss", eq. 3): softmax cross-entropy plus ε (1 - p_t), p_t the predicted
/// probability of the target class; ε = 0 is plain cross-entropy, ε &gt; 0 raises the weight of the leading
/// polynomial term (the paper tunes ε per task; 1 is the usual starting point). Mean over rows.
/// </summary>
/// <remarks>dℓ/dz_c = p_c - 1[c = t] - ε p_t (1[c = t] - p_c).</remarks>
public sealed class PolyOne<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _epsilon;

    /// <summary>Creates the loss.</summary>
    /// <param name="epsilon">ε, the weight of the first polynomial term (default 1, finite, ≥ -1 so that the loss stays ≥ 0).</param>
    /// <param name="reduction">Mean (default), Sum or None (one loss per row).</param>
    public PolyOne(double epsilon = 1.0, Reduction reduction = Reduction.Mean)
    {
        if (!(epsilon >= -1) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and >= -1.");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _epsilon = T.CreateTruncating(epsilon);
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradient; <paramref name="logits"/> is [targets.Length × classes].</summary>
    public T Evaluate(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> gradient, Span<T> losses = default)
    {
        int rows = targets.Length;
        LossGuard.Shape(logits.Length, rows, classes, nameof(logits));
        LossGuard.SameLength(logits.Length, gradient.Length, nameof(gradient), "same shape as logits");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        LossGuard.Classes(targets, classes, int.MinValue, nameof(targets));
        if (rows == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(rows) : T.One;
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * classes, classes);
            var g = gradient.Slice(r * classes, classes);
            int t = targets[r];
            T max = T.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = T.Max(max, z[c]);
            T sum = T.Zero;
            for (int c = 0; c < classes; c++) sum += T.Exp(z[c] - max);
            T logSum = max + T.Log(sum);
            T pt = T.Exp(z[t] - logSum);
            T loss = logSum - z[t] + _epsilon * (T.One - pt);
            for (int c = 0; c < classes; c++)
            {
                T p = T.Exp(z[c] - logSum);
                T indicator = c == t ? T.One : T.Zero;
                g[c] = (p - indicator - _epsilon * pt * (indicator - p)) * scale;
            }
            if (Reduction == Reduction.None) losses[r] = loss;
            total += loss;
        }
        return total * scale;
    }
}
