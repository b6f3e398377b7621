using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Cosine embedding loss, PyTorch <c>CosineEmbeddingLoss(margin)</c>: with cos = x1·x2 / sqrt((‖x1‖² + 1e-12)(‖x2‖² + 1e-12)),
/// ℓ = 1 - cos for y = +1 and max(0, cos - margin) for y = -1; Mean over pairs.
/// </summary>
public sealed class CosineEmbedding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _margin;

    /// <summary>Creates the loss.</summary>
    /// <param name="margin">Margin in [-1, 1] (default 0).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    public CosineEmbedding(double margin = 0.0, Reduction reduction = Reduction.Mean)
    {
        if (!(margin >= -1 && margin <= 1)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be in [-1, 1].");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _margin = T.CreateTruncating(margin);
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradients for N pairs ([N × dimension] each) with labels -1 or +1.</summary>
    public T Evaluate(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> labels, int dimension,
        Span<T> firstGradient, Span<T> secondGradient, Span<T> losses = default)
    {
        int n = labels.Length;
        LossGuard.Pairs(first.Length, second.Length, firstGradient.Length, secondGradient.Length, n, dimension, Reduction, losses.Length);
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != T.One && labels[i] != -T.One)
                throw new ArgumentException($"labels[{i}] = {labels[i]}; cosine embedding labels must be -1 or +1.", nameof(labels));
        }
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One;
        T eps = T.CreateTruncating(1e-12);
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            var a = first.Slice(i * dimension, dimension);
            var b = second.Slice(i * dimension, dimension);
            var ga = firstGradient.Slice(i * dimension, dimension);
            var gb = secondGradient.Slice(i * dimension, dimension);
            T dot = T.Zero, aa = eps, bb = eps;
            for (int k = 0; k < dimension; k++) { dot += a[k] * b[k]; aa += a[k] * a[k]; bb += b[k] * b[k]; }
            T denominator = T.Sqrt(aa * bb);
            T cos = dot / denominator;
            T loss, dCos;
            if (labels[i] == T.One) { loss = T.One - cos; dCos = -T.One; }
            else if (cos > _margin) { loss = cos - _margin; dCos = T.One; }
            else { loss = T.Zero; dCos = T.Zero; }
            dCos *= scale;
            for (int k = 0; k < dimension; k++)
            {
                ga[k] = dCos * (b[k] / denominator - cos * a[k] / aa);
                gb[k] = dCos * (a[k] / denominator - cos * b[k] / bb);
            }
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
        }
        return total * scale;
    }
}
