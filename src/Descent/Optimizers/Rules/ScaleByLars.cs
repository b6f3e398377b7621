using System.Numerics;
using Descent.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// LARS local learning rate: update = lambda (u + wd p) with lambda = eta ||p|| / (||u|| + wd ||p|| + eps) per parameter
/// buffer (u the incoming gradient); lambda = 1 when ||p|| or the denominator is 0, or when the group's <c>trust_ratio</c>
/// is 0 (then plain u + wd p, e.g. for biases). Norms by <see cref="Reductions.Norm{T}"/> (deterministic). No state.
/// </summary>
/// <remarks>You, Gitman and Ginsburg, "Large Batch Training of Convolutional Networks", arXiv:1708.03888 (2017), Algorithm 1
/// (local lr with weight decay beta = wd). Optax <c>lars</c> uses ||u + wd p|| in the denominator instead, and the same
/// "1 when a norm is 0" rule.</remarks>
public sealed class ScaleByLars<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Trust coefficient eta (&gt; 0, finite) and eps added to the denominator (&gt;= 0, finite).</summary>
    public ScaleByLars(double trustCoefficient = 0.001, double epsilon = 0)
    {
        if (!double.IsFinite(trustCoefficient) || trustCoefficient <= 0)
            throw new ArgumentOutOfRangeException(nameof(trustCoefficient), trustCoefficient, "trustCoefficient (eta) must be in (0, +inf) (finite).");
        if (!double.IsFinite(epsilon) || epsilon < 0)
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be in [0, +inf) (finite).");
        TrustCoefficient = trustCoefficient;
        Epsilon = epsilon;
    }

    /// <summary>eta.</summary>
    public double TrustCoefficient { get; }

    /// <summary>eps of the denominator.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public string Name => "scale_by_lars";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) { }

    /// <summary>The local learning rate lambda for this buffer.</summary>
    public double LocalRate(ReadOnlySpan<T> gradient, ReadOnlySpan<T> parameter, double weightDecay)
    {
        double pn = double.CreateTruncating(Reductions.Norm(parameter));
        double gn = double.CreateTruncating(Reductions.Norm(gradient));
        double denominator = gn + weightDecay * pn + Epsilon;
        return pn == 0 || denominator == 0 ? 1.0 : TrustCoefficient * pn / denominator;
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        double wd = context[HyperparameterKey.WeightDecay];
        double rate = context[HyperparameterKey.TrustRatio] == 0 ? 1.0 : LocalRate(update, parameter, wd);
        T r = T.CreateTruncating(rate), w = T.CreateTruncating(wd);
        for (int i = 0; i < update.Length; i++) update[i] = r * (update[i] + w * parameter[i]);
    }
}
