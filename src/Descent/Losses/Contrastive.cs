using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Contrastive loss (Hadsell, Chopra, LeCun 2006) in the lecture's convention: Y = 0 for a similar pair, Y = 1 for a
/// dissimilar one. With D = sqrt(Σ (x1 - x2)² + ε), ℓ = (1 - Y) D² / 2 + Y max(0, margin - D)² / 2; Mean over pairs.
/// No PyTorch class.
/// </summary>
/// <remarks>dℓ/dx1 = [(1 - Y) D - Y max(0, margin - D)] (x1 - x2) / D = -dℓ/dx2.</remarks>
public sealed class Contrastive<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _margin;
    private readonly T _epsilon;

    /// <summary>Creates the loss.</summary>
    /// <param name="margin">Margin for dissimilar pairs (default 1, finite, ≥ 0).</param>
    /// <param name="distanceEpsilon">ε added under the square root (default 1e-12, ≥ 0) so D is differentiable at 0.</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    public Contrastive(double margin = 1.0, double distanceEpsilon = 1e-12, Reduction reduction = Reduction.Mean)
    {
        LossGuard.NonNegativeFinite(margin, nameof(margin));
        LossGuard.NonNegativeFinite(distanceEpsilon, nameof(distanceEpsilon));
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _margin = T.CreateTruncating(margin);
        _epsilon = T.CreateTruncating(distanceEpsilon);
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradients for N pairs: <paramref name="first"/> and <paramref name="second"/> are [N × dimension],
    /// <paramref name="labels"/> has N values, each 0 (similar) or 1 (dissimilar).</summary>
    public T Evaluate(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> labels, int dimension,
        Span<T> firstGradient, Span<T> secondGradient, Span<T> losses = default)
    {
        int n = labels.Length;
        LossGuard.Pairs(first.Length, second.Length, firstGradient.Length, secondGradient.Length, n, dimension, Reduction, losses.Length);
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != T.Zero && labels[i] != T.One)
                throw new ArgumentException($"labels[{i}] = {labels[i]}; contrastive labels must be 0 (similar) or 1 (dissimilar).", nameof(labels));
        }
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One;
        T half = T.CreateTruncating(0.5);
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            var a = first.Slice(i * dimension, dimension);
            var b = second.Slice(i * dimension, dimension);
            T squared = T.Zero;
            for (int k = 0; k < dimension; k++) { T d = a[k] - b[k]; squared += d * d; }
            T distance = T.Sqrt(squared + _epsilon);
            T y = labels[i];
            T hinge = T.Max(_margin - distance, T.Zero);
            T loss = (T.One - y) * half * distance * distance + y * half * hinge * hinge;
            T coefficient = distance > T.Zero ? ((T.One - y) * distance - y * hinge) / distance * scale : T.Zero;
            for (int k = 0; k < dimension; k++)
            {
                T g = coefficient * (a[k] - b[k]);
                firstGradient[i * dimension + k] = g;
                secondGradient[i * dimension + k] = -g;
            }
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
        }
        return total * scale;
    }
}
