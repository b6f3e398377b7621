using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Poisson negative log-likelihood, PyTorch <c>PoissonNLLLoss(log_input, full, eps)</c>. With a log-rate input
/// (default) ℓ = e^x - y x; with a rate input ℓ = x - y log(x + eps). <c>full</c> adds Stirling's approximation of
/// log(y!), y log y - y + ½ log(2π y), for targets y &gt; 1 (0 elsewhere, as PyTorch masks it); it does not depend on x.
/// </summary>
public sealed class PoissonNegativeLogLikelihood<T> : PointwiseLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly bool _logInput;
    private readonly bool _full;
    private readonly T _epsilon;

    /// <summary>Creates the loss.</summary>
    /// <param name="logInput">The input is log λ (default true, PyTorch <c>log_input</c>); false: the input is λ itself.</param>
    /// <param name="full">Add the Stirling term (default false, PyTorch <c>full</c>).</param>
    /// <param name="epsilon">Added to λ before the log when <paramref name="logInput"/> is false (default 1e-8, finite, ≥ 0; PyTorch <c>eps</c>).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <param name="weight">Optional element weights (finite, ≥ 0; PyTorch has none).</param>
    public PoissonNegativeLogLikelihood(bool logInput = true, bool full = false, double epsilon = 1e-8, Reduction reduction = Reduction.Mean,
        ReadOnlySpan<T> weight = default) : base(reduction, weight)
    {
        LossGuard.NonNegativeFinite(epsilon, nameof(epsilon));
        _logInput = logInput;
        _full = full;
        _epsilon = T.CreateTruncating(epsilon);
    }

    /// <inheritdoc/>
    protected override T Point(T x, T y, out T derivative)
    {
        T loss;
        if (_logInput)
        {
            T e = T.Exp(x);
            loss = e - y * x;
            derivative = e - y;
        }
        else
        {
            loss = x - y * T.Log(x + _epsilon);
            derivative = T.One - y / (x + _epsilon);
        }
        if (_full && y > T.One)
        {
            loss += y * T.Log(y) - y + T.CreateTruncating(0.5) * T.Log(T.CreateTruncating(2 * Math.PI) * y);
        }
        return loss;
    }
}
