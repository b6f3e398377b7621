using System.Numerics;
using Descent.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Layer-wise trust ratio (LAMB): update = r u with r = ||p|| / ||u|| per parameter buffer, r = 1 when either norm is 0,
/// optionally clamped to at most <c>maxTrustRatio</c>. Off for a group whose <c>trust_ratio</c> is 0 (e.g. biases).
/// Norms by <see cref="Reductions.Norm{T}"/> (deterministic). No state.
/// </summary>
/// <remarks>You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes", ICLR 2020, Algorithm 2
/// (phi = identity); Optax <c>scale_by_trust_ratio</c>. The optional clamp is the ratio's (timm <c>trust_clip</c> clamps it to 1);
/// the paper's phi clamps ||p|| instead.</remarks>
public sealed class ScaleByTrustRatio<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Clamps the ratio to at most <paramref name="maxTrustRatio"/> (&gt; 0, +inf: no clamp).</summary>
    public ScaleByTrustRatio(double maxTrustRatio = double.PositiveInfinity)
    {
        if (double.IsNaN(maxTrustRatio) || maxTrustRatio <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxTrustRatio), maxTrustRatio, "maxTrustRatio must be in (0, +inf].");
        MaxTrustRatio = maxTrustRatio;
    }

    /// <summary>The largest ratio applied.</summary>
    public double MaxTrustRatio { get; }

    /// <inheritdoc />
    public string Name => "scale_by_trust_ratio";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) { }

    /// <summary>The trust ratio of <paramref name="parameter"/> and <paramref name="update"/> (before any clamp).</summary>
    public static double Ratio(ReadOnlySpan<T> parameter, ReadOnlySpan<T> update)
    {
        double pn = double.CreateTruncating(Reductions.Norm(parameter));
        double un = double.CreateTruncating(Reductions.Norm(update));
        return pn == 0 || un == 0 ? 1.0 : pn / un;
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        if (context[HyperparameterKey.TrustRatio] == 0) return;
        double ratio = Math.Min(Ratio(parameter, update), MaxTrustRatio);
        T r = T.CreateTruncating(ratio);
        for (int i = 0; i < update.Length; i++) update[i] = r * update[i];
    }
}
