using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Triplet margin loss, PyTorch <c>TripletMarginLoss(margin, p, eps, swap)</c>: ℓ = max(0, d(a, p) - d(a, n) + margin)
/// with d(u, v) = ‖u - v + eps‖_p (PyTorch's <c>pairwise_distance</c>); with swap, d(a, n) is replaced by
/// min(d(a, n), d(p, n)) (Balntas et al. 2016). Mean over triplets.
/// </summary>
public sealed class TripletMargin<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _margin;
    private readonly PairwiseDistance<T> _distance;
    private readonly bool _swap;

    /// <summary>Creates the loss.</summary>
    /// <param name="margin">Margin (default 1, finite, ≥ 0).</param>
    /// <param name="p">Norm degree (default 2, ≥ 1).</param>
    /// <param name="epsilon">Added to each difference (PyTorch <c>eps</c>, default 1e-6, ≥ 0).</param>
    /// <param name="swap">Use the distance swap (default false).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    public TripletMargin(double margin = 1.0, double p = 2.0, double epsilon = 1e-6, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        LossGuard.NonNegativeFinite(margin, nameof(margin));
        if (!(p >= 1) || !double.IsFinite(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be finite and >= 1.");
        LossGuard.NonNegativeFinite(epsilon, nameof(epsilon));
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _margin = T.CreateTruncating(margin);
        _distance = new PairwiseDistance<T>(p, epsilon);
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
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One;
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            var a = anchor.Slice(i * dimension, dimension);
            var p = positive.Slice(i * dimension, dimension);
            var ng = negative.Slice(i * dimension, dimension);
            T dap = Distance(a, p);
            T dan = Distance(a, ng);
            bool swapped = false;
            if (_swap)
            {
                T dpn = Distance(p, ng);
                if (dpn < dan) { dan = dpn; swapped = true; }
            }
            T loss = T.Max(dap - dan + _margin, T.Zero);
            if (loss > T.Zero)
            {
                AddDistanceGradient(a, p, dap, scale, anchorGradient.Slice(i * dimension, dimension), positiveGradient.Slice(i * dimension, dimension));
                if (swapped)
                    AddDistanceGradient(p, ng, dan, -scale, positiveGradient.Slice(i * dimension, dimension), negativeGradient.Slice(i * dimension, dimension));
                else
                    AddDistanceGradient(a, ng, dan, -scale, anchorGradient.Slice(i * dimension, dimension), negativeGradient.Slice(i * dimension, dimension));
            }
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
        }
        return total * scale;
    }

    private T Distance(ReadOnlySpan<T> u, ReadOnlySpan<T> v) => _distance.Distance(u, v);

    private void AddDistanceGradient(ReadOnlySpan<T> u, ReadOnlySpan<T> v, T distance, T c, Span<T> gu, Span<T> gv) =>
        _distance.AddGradient(u, v, distance, c, gu, gv);
}
