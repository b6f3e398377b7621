using System.Runtime.CompilerServices;
using System.Numerics;

namespace Descent.Numerics;

/// <summary>
/// Lion in one pass: c = beta1 m + (1 - beta1) g; m = beta2 m + (1 - beta2) g; p = p - lr (sign(c) + wd p).
/// State 0: momentum (<c>exp_avg</c>).
/// </summary>
/// <remarks>Composed equivalent: Maximize, ScaleByLion, AddDecayedWeights (decoupled), ScaleByLearningRate; same operations
/// in the same order, so both paths agree bit for bit.</remarks>
public readonly struct LionKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool Maximize { get; init; }
    public T Beta1 { get; init; }
    public T OneMinusBeta1 { get; init; }
    public T Beta2 { get; init; }
    public T OneMinusBeta2 { get; init; }
    public T DecoupledDecay { get; init; }
    public T NegativeLearningRate { get; init; }

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
