using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Soft Dice loss for segmentation (Milletari et al. 2016, "V-Net", eq. 1; smoothed as in common practice):
/// per row (one sample's pixels) ℓ = 1 - (2 Σ p y + s) / (Σ p^k + Σ y^k + s), p the predicted probabilities,
/// y the (soft) targets, k = 2 as V-Net or k = 1 (the plain Sørensen–Dice form); Mean averages the rows.
/// </summary>
public sealed class SoftDice<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _smooth;
    private readonly bool _squared;

    /// <summary>Creates the loss.</summary>
    /// <param name="smooth">s, added to numerator and denominator (default 1, finite, ≥ 0; keeps empty masks defined).</param>
    /// <param name="squaredDenominator">Use Σ p² + Σ y² (V-Net) instead of Σ p + Σ y (default false).</param>
    /// <param name="reduction">Mean (default), Sum or None (one loss per row).</param>
    public SoftDice(double smooth = 1.0, bool squaredDenominator = false, Reduction reduction = Reduction.Mean)
    {
        LossGuard.NonNegativeFinite(smooth, nameof(smooth));
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _smooth = T.CreateTruncating(smooth);
        _squared = squaredDenominator;
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradient; <paramref name="probabilities"/> and <paramref name="target"/> are [rows × dimension].</summary>
    public T Evaluate(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> target, int dimension, Span<T> gradient, Span<T> losses = default)
    {
        int rows = dimension > 0 ? probabilities.Length / dimension : 0;
        LossGuard.Shape(probabilities.Length, rows, dimension, nameof(probabilities));
        LossGuard.SameLength(probabilities.Length, target.Length, nameof(target), "same shape as probabilities");
        LossGuard.SameLength(probabilities.Length, gradient.Length, nameof(gradient), "same shape as probabilities");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        if (rows == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        T two = T.CreateTruncating(2);
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(rows) : T.One;
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            var p = probabilities.Slice(r * dimension, dimension);
            var y = target.Slice(r * dimension, dimension);
            var g = gradient.Slice(r * dimension, dimension);
            T intersection = T.Zero, denominator = _smooth;
            for (int i = 0; i < dimension; i++)
            {
                intersection += p[i] * y[i];
                denominator += _squared ? p[i] * p[i] + y[i] * y[i] : p[i] + y[i];
            }
            T numerator = two * intersection + _smooth;
            T loss = T.One - numerator / denominator;
            if (denominator == T.Zero)
            {
                loss = T.Zero; // no smoothing and empty prediction and target: a perfect match
                g.Clear();
            }
            else
            {
                T inverse = T.One / denominator;
                for (int i = 0; i < dimension; i++)
                {
                    T dDenominator = _squared ? two * p[i] : T.One;
                    g[i] = -(two * y[i] - numerator * inverse * dDenominator) * inverse * scale;
                }
            }
            if (Reduction == Reduction.None) losses[r] = loss;
            total += loss;
        }
        return total * scale;
    }
}
