using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Adaptive gradient clipping, unit-wise (Brock et al. 2021, NFNets, eq. 3): for each unit i (a row of a matrix: one output
/// unit of a PyTorch [out, in, ...] weight; a whole vector or scalar), with ‖·‖ the unit's Frobenius norm,
/// G_i ← G_i · λ max(‖W_i‖, ε) / ‖G_i‖ where ‖G_i‖ &gt; λ max(‖W_i‖, ε), unchanged elsewhere.
/// </summary>
/// <remarks>Brock, De, Smith, Simonyan, "High-Performance Large-Scale Image Recognition Without Normalization", ICML 2021,
/// section 4.1; Optax <c>adaptive_grad_clip</c> (unitwise_norm: vectors and scalars as one unit; matrices per output unit, here
/// the leading dimension since PyTorch stores [out, in]; the divisor max(‖G_i‖, 1e-6) as Optax). Place it first in a chain.</remarks>
public sealed class AdaptiveGradientClipping<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double _clipping;
    private readonly double _epsilon;

    /// <summary>Creates the rule.</summary>
    /// <param name="clipping">λ, the largest allowed ratio ‖G_i‖ / ‖W_i‖ (default 0.01, NFNets' value for batch 4096; finite, &gt; 0).</param>
    /// <param name="epsilon">ε, the floor of the weight norm (default 1e-3, as NFNets and Optax; finite, &gt;= 0).</param>
    public AdaptiveGradientClipping(double clipping = 0.01, double epsilon = 1e-3)
    {
        if (!(clipping > 0) || !double.IsFinite(clipping)) throw new ArgumentOutOfRangeException(nameof(clipping), clipping, "clipping must be finite and > 0.");
        if (!(epsilon >= 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and >= 0.");
        _clipping = clipping;
        _epsilon = epsilon;
    }

    /// <inheritdoc/>
    public string Name => "adaptive_grad_clip";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context) { }

    /// <summary>Number of units of a parameter of this shape: its leading dimension when it has two or more dimensions
    /// larger than 1, else 1 (a vector or scalar is one unit).</summary>
    public static int Units(IReadOnlyList<int> shape, int length)
    {
        int large = 0;
        for (int i = 0; i < shape.Count; i++) if (shape[i] > 1) large++; // index loop: no enumerator allocation in a step
        return large >= 2 && shape.Count > 0 && shape[0] > 0 && length % shape[0] == 0 ? shape[0] : 1;
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        int units = Units(state.Shape, update.Length);
        if (update.Length == 0) return;
        int size = update.Length / units;
        for (int u = 0; u < units; u++)
        {
            var g = update.Slice(u * size, size);
            var w = parameter.Slice(u * size, size);
            double gg = 0, ww = 0;
            for (int i = 0; i < size; i++)
            {
                double gi = double.CreateTruncating(g[i]), wi = double.CreateTruncating(w[i]);
                gg += gi * gi;
                ww += wi * wi;
            }
            double gNorm = Math.Sqrt(gg);
            double maxNorm = Math.Max(Math.Sqrt(ww), _epsilon) * _clipping;
            if (!(gNorm > maxNorm)) continue;
            T factor = T.CreateTruncating(maxNorm / Math.Max(gNorm, 1e-6));
            for (int i = 0; i < size; i++) g[i] *= factor;
        }
    }
}
