using System.Runtime.CompilerServices;
using System.Numerics;

namespace Descent.Numerics;

/// <summary>
/// Lion in one pass (opt-new1): c = beta1 m + (1 - beta1) g; m = beta2 m + (1 - beta2) g; p = p - lr (sign(c) + wd p).
/// State 0: momentum (<c>exp_avg</c>).
/// </summary>
/// <remarks>Composed equivalent: Maximize, ScaleByLion, AddDecayedWeights (decoupled), ScaleByLearningRate; same operations
/// in the same order, so both paths agree bit for bit.</remarks>
public readonly struct LionKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Negate the gradient first (PyTorch <c>maximize=True</c>).</summary>
    public bool Maximize { get; init; }
    /// <summary>Interpolation factor <c>beta1</c> of the update direction (Lion paper default 0.9; Optax <c>b1</c>).</summary>
    public T Beta1 { get; init; }
    /// <summary><c>1 - beta1</c>, precomputed as the rule computes it.</summary>
    public T OneMinusBeta1 { get; init; }
    /// <summary>Decay <c>beta2</c> of the momentum buffer (Lion paper default 0.99; Optax <c>b2</c>).</summary>
    public T Beta2 { get; init; }
    /// <summary><c>1 - beta2</c>, precomputed as the rule computes it.</summary>
    public T OneMinusBeta2 { get; init; }
    /// <summary>Decoupled weight decay (AdamW, Lion): <c>wd p</c> added to the update after the adaptive scaling (0: none).</summary>
    public T DecoupledDecay { get; init; }
    /// <summary><c>-lr</c> for this step (schedule applied): the update is <c>p += NegativeLearningRate d</c>.</summary>
    public T NegativeLearningRate { get; init; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        TV c = TV.Create(Beta1) * s0 + TV.Create(OneMinusBeta1) * d;
        s0 = TV.Create(Beta2) * s0 + TV.Create(OneMinusBeta2) * d;
        TV u = TV.Sign(c);
        if (DecoupledDecay != T.Zero) u = u + TV.Create(DecoupledDecay) * p;
        p = p + TV.Create(NegativeLearningRate) * u;
    }
}
