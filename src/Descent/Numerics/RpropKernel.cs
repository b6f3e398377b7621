using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Numerics;

/// <summary>
/// Rprop in one pass: s = g·prev; step = clamp(step_size · (s &gt; 0 ? η⁺ : s &lt; 0 ? η⁻ : 1), min, max);
/// g' = s &lt; 0 ? 0 : g; p = p - sign(g') step; prev = g'. State 0: <c>prev</c>, state 1: <c>step_size</c>.
/// </summary>
/// <remarks>Composed equivalent: Maximize, ScaleByRprop; the same operations in the same order (bit for bit).</remarks>
public readonly struct RpropKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Negate the gradient first.</summary>
    public bool Maximize { get; init; }
    /// <summary>η⁻.</summary>
    public T EtaMinus { get; init; }
    /// <summary>η⁺.</summary>
    public T EtaPlus { get; init; }
    /// <summary>Smallest step size.</summary>
    public T StepSizeMin { get; init; }
    /// <summary>Largest step size.</summary>
    public T StepSizeMax { get; init; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        TV product = d * s0;
        TV factor = TV.SelectBySign(product, TV.Create(EtaPlus), TV.Create(EtaMinus), TV.Create(T.One));
        TV step = TV.Min(TV.Max(s1 * factor, TV.Create(StepSizeMin)), TV.Create(StepSizeMax));
        TV kept = TV.SelectBySign(product, d, TV.Create(T.Zero), d);
        s1 = step;
        s0 = kept;
        p = p + -(TV.Sign(kept) * step);
    }
}

/// <summary>
/// ASGD in one pass: d = g + wd p; p' = p + (-λη p - η d); ax = μ = 1 ? p' : ax + (p' - ax) μ. State 0: <c>ax</c>.
/// </summary>
/// <remarks>Composed equivalent: Maximize, AddDecayedWeights, ScaleByAsgd (bit for bit).</remarks>
public readonly struct AsgdKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Negate the gradient first.</summary>
    public bool Maximize { get; init; }
    /// <summary>Coupled L2 coefficient (0: none).</summary>
    public T WeightDecay { get; init; }
    /// <summary>-λ η of this step.</summary>
    public T Decay { get; init; }
    /// <summary>-η of this step.</summary>
    public T Rate { get; init; }
    /// <summary>μ of this step.</summary>
    public T Mu { get; init; }
    /// <summary>μ = 1: ax is a copy of the parameter.</summary>
    public bool Copy { get; init; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        if (WeightDecay != T.Zero) d = d + TV.Create(WeightDecay) * p;
        TV u = TV.Create(Decay) * p + TV.Create(Rate) * d;
        TV next = p + u;
        s0 = Copy ? next : s0 + (next - s0) * TV.Create(Mu);
        p = next;
    }
}

/// <summary>
/// Yogi in one pass: m = β₁ m + (1 - β₁) g; v = v - (1 - β₂) sign(v - g²) g²; p = p - lr m / (√v + ε).
/// State 0: <c>exp_avg</c>, state 1: <c>exp_avg_sq</c>.
/// </summary>
/// <remarks>Composed equivalent: Maximize, ScaleByYogi, ScaleByLearningRate (bit for bit).</remarks>
public readonly struct YogiKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Negate the gradient first.</summary>
    public bool Maximize { get; init; }
    /// <summary>β₁.</summary>
    public T Beta1 { get; init; }
    /// <summary>1 - β₁.</summary>
    public T OneMinusBeta1 { get; init; }
    /// <summary>1 - β₂.</summary>
    public T OneMinusBeta2 { get; init; }
    /// <summary>ε.</summary>
    public T Epsilon { get; init; }
    /// <summary>-lr.</summary>
    public T NegativeLearningRate { get; init; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        TV g2 = d * d;
        s0 = TV.Create(Beta1) * s0 + TV.Create(OneMinusBeta1) * d;
        s1 = s1 - TV.Create(OneMinusBeta2) * TV.Sign(s1 - g2) * g2;
        TV u = s0 / (TV.Sqrt(s1) + TV.Create(Epsilon));
        p = p + TV.Create(NegativeLearningRate) * u;
    }
}
