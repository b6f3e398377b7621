using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Hinge embedding loss, PyTorch <c>HingeEmbeddingLoss(margin)</c>, for an input that is a distance:
/// ℓ = x where y = 1, max(0, margin - x) where y = -1 (PyTorch's formula: the first term where y ≠ -1, the second where y ≠ 1).
/// </summary>
public sealed class HingeEmbedding<T> : PointwiseLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _margin;

    /// <summary>Creates the loss.</summary>
    /// <param name="margin">The margin (default 1, finite).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <param name="weight">Optional element weights (finite, ≥ 0; PyTorch has none).</param>
    public HingeEmbedding(double margin = 1.0, Reduction reduction = Reduction.Mean, ReadOnlySpan<T> weight = default) : base(reduction, weight)
    {
        LossGuard.Finite(margin, nameof(margin));
        _margin = T.CreateTruncating(margin);
    }

    /// <inheritdoc/>
    protected override T Point(T x, T y, out T derivative)
    {
        T loss = T.Zero;
        derivative = T.Zero;
        if (y != -T.One)
        {
            loss += x;
            derivative += T.One;
        }
        if (y != T.One)
        {
            T z = _margin - x;
            loss += T.Max(z, T.Zero);
            if (z >= T.Zero) derivative -= T.One;
        }
        return loss;
    }
}
