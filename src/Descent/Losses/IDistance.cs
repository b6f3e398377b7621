using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// A differentiable distance between two vectors, for <see cref="TripletMarginWithDistance{T}"/> (PyTorch's
/// <c>distance_function</c>). Implement it for a distance of your own.
/// </summary>
public interface IDistance<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>d(u, v).</summary>
    T Distance(ReadOnlySpan<T> u, ReadOnlySpan<T> v);

    /// <summary>Adds <paramref name="scale"/>·∂d/∂u to <paramref name="uGradient"/> and <paramref name="scale"/>·∂d/∂v to
    /// <paramref name="vGradient"/>; <paramref name="distance"/> is d(u, v) as returned by <see cref="Distance"/>.</summary>
    void AddGradient(ReadOnlySpan<T> u, ReadOnlySpan<T> v, T distance, T scale, Span<T> uGradient, Span<T> vGradient);
}

/// <summary>
/// The p-norm distance ‖u - v + eps‖_p, PyTorch's <c>pairwise_distance(p, eps)</c> (the default distance of
/// <c>TripletMarginWithDistanceLoss</c> and the one of <c>TripletMarginLoss</c>).
/// </summary>
public sealed class PairwiseDistance<T> : IDistance<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _p;
    private readonly T _epsilon;

    /// <summary>Creates the distance.</summary>
    /// <param name="p">Norm degree (default 2, finite, ≥ 1).</param>
    /// <param name="epsilon">Added to each difference (default 1e-6, finite, ≥ 0; PyTorch <c>eps</c>).</param>
    public PairwiseDistance(double p = 2.0, double epsilon = 1e-6)
    {
        if (!(p >= 1) || !double.IsFinite(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be finite and >= 1.");
        LossGuard.NonNegativeFinite(epsilon, nameof(epsilon));
        _p = T.CreateTruncating(p);
        _epsilon = T.CreateTruncating(epsilon);
    }

    /// <inheritdoc/>
    public T Distance(ReadOnlySpan<T> u, ReadOnlySpan<T> v)
    {
        T sum = T.Zero;
        for (int k = 0; k < u.Length; k++) sum += T.Pow(T.Abs(u[k] - v[k] + _epsilon), _p);
        return T.Pow(sum, T.One / _p);
    }

    /// <inheritdoc/>
    public void AddGradient(ReadOnlySpan<T> u, ReadOnlySpan<T> v, T distance, T scale, Span<T> uGradient, Span<T> vGradient)
    {
        if (distance == T.Zero) return;
        T denominator = T.Pow(distance, _p - T.One);
        for (int k = 0; k < u.Length; k++)
        {
            T w = u[k] - v[k] + _epsilon;
            T g = scale * T.CopySign(T.Pow(T.Abs(w), _p - T.One), w) / denominator;
            uGradient[k] += g;
            vGradient[k] -= g;
        }
    }
}

/// <summary>
/// The cosine distance 1 - u·v / max(‖u‖ ‖v‖, eps), i.e. <c>1 - F.cosine_similarity(u, v, eps)</c> in PyTorch.
/// </summary>
public sealed class CosineDistance<T> : IDistance<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _epsilon;

    /// <summary>Creates the distance.</summary>
    /// <param name="epsilon">Lower bound of the norm product (default 1e-8, finite, ≥ 0; PyTorch <c>eps</c>).</param>
    public CosineDistance(double epsilon = 1e-8)
    {
        LossGuard.NonNegativeFinite(epsilon, nameof(epsilon));
        _epsilon = T.CreateTruncating(epsilon);
    }

    /// <inheritdoc/>
    public T Distance(ReadOnlySpan<T> u, ReadOnlySpan<T> v)
    {
        Sums(u, v, out T uv, out T uu, out T vv);
        return T.One - uv / T.Max(T.Sqrt(uu * vv), _epsilon);
    }

    /// <inheritdoc/>
    public void AddGradient(ReadOnlySpan<T> u, ReadOnlySpan<T> v, T distance, T scale, Span<T> uGradient, Span<T> vGradient)
    {
        Sums(u, v, out T uv, out T uu, out T vv);
        T norm = T.Sqrt(uu * vv);
        if (norm <= _epsilon)
        {
            // the denominator is the constant eps: d(-uv/eps)
            for (int k = 0; k < u.Length; k++)
            {
                uGradient[k] -= scale * v[k] / _epsilon;
                vGradient[k] -= scale * u[k] / _epsilon;
            }
            return;
        }
        T cosine = uv / norm;
        for (int k = 0; k < u.Length; k++)
        {
            uGradient[k] -= scale * (v[k] / norm - cosine * u[k] / uu);
            vGradient[k] -= scale * (u[k] / norm - cosine * v[k] / vv);
        }
    }

    private static void Sums(ReadOnlySpan<T> u, ReadOnlySpan<T> v, out T uv, out T uu, out T vv)
    {
        uv = uu = vv = T.Zero;
        for (int k = 0; k < u.Length; k++)
        {
            uv += u[k] * v[k];
            uu += u[k] * u[k];
            vv += v[k] * v[k];
        }
    }
}
