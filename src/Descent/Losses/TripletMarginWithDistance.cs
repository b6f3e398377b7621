using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Triplet margin loss with a user distance, PyTorch <c>TripletMarginWithDistanceLoss(distance_function, margin, swap)</c>:
/// ℓ = max(0, d(a, p) - d(a, n) + margin); with swap, d(a, n) is replaced by min(d(a, n), d(p, n)) (Balntas et al. 2016).
/// The distance is any <see cref="IDistance{T}"/>; the default is <see cref="PairwiseDistance{T}"/> (p = 2, eps = 1e-6) as in PyTorch.
/// </summary>
public sealed class TripletMarginWithDistance<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IDistance<T> _distance;
    private readonly T _margin;
    private readonly bool _swap;

    /// <summary>Creates the loss.</summary>
    /// <param name="distance">The distance (default: Euclidean <see cref="PairwiseDistance{T}"/>); PyTorch <c>distance_function</c>.</param>
    /// <param name="margin">Margin (default 1, finite, &gt; 0 as PyTorch requires).</param>
    /// <param name="swap">Use the distance swap (default false).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    public TripletMarginWithDistance(IDistance<T>? distance = null, double margin = 1.0, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        if (!(margin > 0) || !double.IsFinite(margin)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be finite and > 0.");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _distance = distance ?? new PairwiseDistance<T>();
        _margin = T.CreateTruncating(margin);
        _swap = swap;
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradients for N triplets; each span is [N × dimension].</summary>
    public T Evaluate(ReadOnlySpan<T> anchor, ReadOnlySpan<T> positive, ReadOnlySpan<T> negative, int dimension,
        Span<T> anchorGradient, Span<T> positiveGradient, Span<T> negativeGradient, Span<T> losses = default)
    {
        int n = dimension > 0 ? anchor.Length / dimension : 0;
        LossGuard.Shape(anchor.Length, n, dimension, nameof(anchor));
        LossGuard.SameLength(anchor.Length, positive.Length, nameof(positive), "same shape as anchor");
        LossGuard.SameLength(anchor.Length, negative.Length, nameof(negative), "same shape as anchor");
        LossGuard.SameLength(anchor.Length, anchorGradient.Length, nameof(anchorGradient), "same shape as anchor");
        LossGuard.SameLength(anchor.Length, positiveGradient.Length, nameof(positiveGradient), "same shape as anchor");
        LossGuard.SameLength(anchor.Length, negativeGradient.Length, nameof(negativeGradient), "same shape as anchor");
        LossGuard.Losses(Reduction, n, losses.Length, nameof(losses));
        anchorGradient.Clear();
        positiveGradient.Clear();
        negativeGradient.Clear();
        if (n == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One;
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            var a = anchor.Slice(i * dimension, dimension);
            var p = positive.Slice(i * dimension, dimension);
            var ng = negative.Slice(i * dimension, dimension);
            var ga = anchorGradient.Slice(i * dimension, dimension);
            var gp = positiveGradient.Slice(i * dimension, dimension);
            var gn = negativeGradient.Slice(i * dimension, dimension);
            T dap = _distance.Distance(a, p);
            T dan = _distance.Distance(a, ng);
            bool swapped = false;
            if (_swap)
            {
                T dpn = _distance.Distance(p, ng);
                if (dpn < dan) { dan = dpn; swapped = true; }
            }
            T z = dap - dan + _margin;
            T loss = T.Max(z, T.Zero);
            if (z >= T.Zero)
            {
                _distance.AddGradient(a, p, dap, scale, ga, gp);
                if (swapped) _distance.AddGradient(p, ng, dan, -scale, gp, gn);
                else _distance.AddGradient(a, ng, dan, -scale, ga, gn);
            }
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
        }
        return total * scale;
    }
}
