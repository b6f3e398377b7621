using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Margin ranking loss, PyTorch <c>MarginRankingLoss(margin)</c>: ℓ = max(0, -y (x₁ - x₂) + margin) for y ∈ {-1, +1}
/// (y = 1: x₁ should rank higher). The subgradient at the kink is that of PyTorch's <c>clamp_min</c> (passes at 0).
/// </summary>
public sealed class MarginRanking<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _margin;

    /// <summary>Creates the loss.</summary>
    /// <param name="margin">The margin (default 0, finite).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    public MarginRanking(double margin = 0.0, Reduction reduction = Reduction.Mean)
    {
        LossGuard.Finite(margin, nameof(margin));
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _margin = T.CreateTruncating(margin);
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradients with respect to both inputs (all spans of one length).</summary>
    public T Evaluate(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> target, Span<T> firstGradient, Span<T> secondGradient,
        Span<T> losses = default)
    {
        int n = first.Length;
        LossGuard.SameLength(n, second.Length, nameof(second), "same shape as first");
        LossGuard.SameLength(n, target.Length, nameof(target), "one target per pair");
        LossGuard.SameLength(n, firstGradient.Length, nameof(firstGradient), "same shape as first");
        LossGuard.SameLength(n, secondGradient.Length, nameof(secondGradient), "same shape as first");
        LossGuard.Losses(Reduction, n, losses.Length, nameof(losses));
        if (n == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One;
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T z = -target[i] * (first[i] - second[i]) + _margin;
            T loss = T.Max(z, T.Zero);
            T g = z >= T.Zero ? -target[i] * scale : T.Zero;
            firstGradient[i] = g;
            secondGradient[i] = -g;
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
        }
        return total * scale;
    }
}
