using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Gaussian negative log-likelihood with a predicted variance, PyTorch <c>GaussianNLLLoss(full, eps)</c>:
/// ℓ = ½ (log max(σ², eps) + (μ - y)² / max(σ², eps)) (+ ½ log 2π when <c>full</c>).
/// </summary>
/// <remarks>
/// As in PyTorch the variance is clamped at <c>eps</c> for stability without stopping its gradient: the derivative
/// with respect to σ² is ½ (1/v - (μ - y)²/v²) at v = max(σ², eps), also where σ² &lt; eps (PyTorch clamps a copy
/// under <c>no_grad</c>). A negative variance is an error, as in PyTorch. The variance may be given per element, or
/// per row (one value for each row of <c>dimension</c> elements: PyTorch's variance with a last dimension of 1).
/// </remarks>
public sealed class GaussianNegativeLogLikelihood<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly bool _full;
    private readonly T _epsilon;

    /// <summary>Creates the loss.</summary>
    /// <param name="full">Add the constant ½ log 2π (default false, PyTorch <c>full</c>).</param>
    /// <param name="epsilon">Lower clamp of the variance (default 1e-6, finite, &gt; 0; PyTorch <c>eps</c>).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    public GaussianNegativeLogLikelihood(bool full = false, double epsilon = 1e-6, Reduction reduction = Reduction.Mean)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and > 0.");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _full = full;
        _epsilon = T.CreateTruncating(epsilon);
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradients with respect to the mean and the variance.</summary>
    /// <param name="mean">Predicted means μ, one per element.</param>
    /// <param name="variance">Predicted variances σ² ≥ 0: one per element, or one per row of <c>mean.Length / variance.Length</c> elements.</param>
    /// <param name="target">Targets y, one per element.</param>
    /// <param name="meanGradient">d(loss)/dμ (length of <paramref name="mean"/>).</param>
    /// <param name="varianceGradient">d(loss)/dσ² (length of <paramref name="variance"/>).</param>
    /// <param name="losses">With <see cref="Reduction.None"/>: the element losses (length of <paramref name="mean"/>).</param>
    public T Evaluate(ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, ReadOnlySpan<T> target, Span<T> meanGradient, Span<T> varianceGradient,
        Span<T> losses = default)
    {
        int n = mean.Length;
        LossGuard.SameLength(n, target.Length, nameof(target), "one target per mean");
        LossGuard.SameLength(n, meanGradient.Length, nameof(meanGradient), "same shape as mean");
        LossGuard.SameLength(variance.Length, varianceGradient.Length, nameof(varianceGradient), "same shape as variance");
        if (variance.Length == 0 ? n != 0 : n % variance.Length != 0)
        {
            throw new ArgumentException($"variance has length {variance.Length}, which is neither the length of mean ({n}) nor one value per row of it.", nameof(variance));
        }
        LossGuard.Losses(Reduction, n, losses.Length, nameof(losses));
        for (int i = 0; i < variance.Length; i++)
        {
            if (T.IsNegative(variance[i]) && variance[i] != T.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(variance), variance[i], $"variance[{i}] is {variance[i]}; variances must be >= 0.");
            }
        }
        if (n == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        int perVariance = n / variance.Length;
        T half = T.CreateTruncating(0.5);
        T constant = _full ? T.CreateTruncating(0.5 * Math.Log(2 * Math.PI)) : T.Zero;
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One;
        varianceGradient.Clear();
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            int k = i / perVariance;
            T v = T.Max(variance[k], _epsilon);
            T d = mean[i] - target[i];
            T loss = half * (T.Log(v) + d * d / v) + constant;
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
            meanGradient[i] = d / v * scale;
            varianceGradient[k] += half * (T.One / v - d * d / (v * v)) * scale;
        }
        return total * scale;
    }
}
