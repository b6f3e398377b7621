using System.Runtime.CompilerServices;
using System.Numerics;

namespace Descent.Numerics;

// Fused single-pass kernels of the hot optimizers. Each performs exactly the operations, in exactly the order, of the
// corresponding chain of update rules in Descent.Optimizers.Rules (see the rule named in each summary), so the fused
// and composed paths agree bit for bit. No fused multiply-add is used anywhere (the JIT does not contract a*b+c).

/// <summary>SGD (plain, heavy-ball momentum with dampening, Nesterov), coupled weight decay, maximize. State 0: momentum buffer.</summary>
/// <remarks>Composed equivalent: Maximize, AddDecayedWeights, Trace(initialize with first), ScaleByLearningRate.</remarks>
public readonly struct SgdKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool Maximize { get; init; }
    public T WeightDecay { get; init; }
    public bool HasMomentum { get; init; }
    public bool FirstStep { get; init; }
    public T Momentum { get; init; }
    public T OneMinusDampening { get; init; }
    public bool Nesterov { get; init; }
    public T NegativeLearningRate { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        if (WeightDecay != T.Zero) d = d + TV.Create(WeightDecay) * p;
        if (HasMomentum)
        {
            s0 = FirstStep ? d : s0 * TV.Create(Momentum) + TV.Create(OneMinusDampening) * d;
            d = Nesterov ? d + TV.Create(Momentum) * s0 : s0;
        }
        p = p + TV.Create(NegativeLearningRate) * d;
    }
}

/// <summary>Adam / AdamW with or without AMSGrad, every epsilon placement. State 0: m, 1: v, 2: max v (AMSGrad).</summary>
/// <remarks>Composed equivalent: Maximize, AddDecayedWeights (L2), ScaleByAdam, AddDecayedWeights (decoupled), ScaleByLearningRate, AddDecayedWeights (after lr).</remarks>
public readonly struct AdamKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool Maximize { get; init; }
    public T L2 { get; init; }
    public T Beta1 { get; init; }
    public T OneMinusBeta1 { get; init; }
    public T Beta2 { get; init; }
    public T OneMinusBeta2 { get; init; }
    public bool Amsgrad { get; init; }
    public bool EpsilonInsideSqrt { get; init; }
    /// <summary>Divisor of the second moment: sqrt(1 - beta2^t) (epsilon outside), 1 - beta2^t (inside), 1 (epsilon hat).</summary>
    public T SecondMomentDivisor { get; init; }
    public T Epsilon { get; init; }
    /// <summary>Multiplier of m / denominator: 1 / (1 - beta1^t), or sqrt(1 - beta2^t) / (1 - beta1^t) for epsilon hat.</summary>
    public T BiasScale { get; init; }
    public T DecoupledDecay { get; init; }
    public T NegativeLearningRate { get; init; }
    public T PostDecay { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        if (L2 != T.Zero) d = d + TV.Create(L2) * p;
        s0 = TV.Create(Beta1) * s0 + TV.Create(OneMinusBeta1) * d;
        s1 = TV.Create(Beta2) * s1 + TV.Create(OneMinusBeta2) * (d * d);
        TV v = s1;
        if (Amsgrad)
        {
            s2 = TV.Max(s2, s1);
            v = s2;
        }
        TV denominator = EpsilonInsideSqrt
            ? TV.Sqrt(v / TV.Create(SecondMomentDivisor) + TV.Create(Epsilon))
            : TV.Sqrt(v) / TV.Create(SecondMomentDivisor) + TV.Create(Epsilon);
        TV u = (s0 / denominator) * TV.Create(BiasScale);
        if (DecoupledDecay != T.Zero) u = u + TV.Create(DecoupledDecay) * p;
        u = TV.Create(NegativeLearningRate) * u;
        if (PostDecay != T.Zero) u = u + TV.Create(PostDecay) * p;
        p = p + u;
    }
}

/// <summary>AdaGrad. State 0: sum of squared gradients.</summary>
/// <remarks>Composed equivalent: Maximize, AddDecayedWeights, ScaleByAdaGrad, ScaleByLearningRate (with lr decay).</remarks>
public readonly struct AdaGradKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool Maximize { get; init; }
    public T WeightDecay { get; init; }
    public T Epsilon { get; init; }
    public T NegativeLearningRate { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        if (WeightDecay != T.Zero) d = d + TV.Create(WeightDecay) * p;
        s0 = s0 + d * d;
        TV u = d / (TV.Sqrt(s0) + TV.Create(Epsilon));
        p = p + TV.Create(NegativeLearningRate) * u;
    }
}

/// <summary>RMSprop, plain or centered, with or without momentum. State 0: square average, 1: momentum buffer, 2: gradient average.</summary>
/// <remarks>Composed equivalent: Maximize, AddDecayedWeights, ScaleByRms, Trace (zero-initialized), ScaleByLearningRate.</remarks>
public readonly struct RmsPropKernel<T> : IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool Maximize { get; init; }
    public T WeightDecay { get; init; }
    public T Alpha { get; init; }
    public T OneMinusAlpha { get; init; }
    public bool Centered { get; init; }
    public T Epsilon { get; init; }
    public bool HasMomentum { get; init; }
    public T Momentum { get; init; }
    public T NegativeLearningRate { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public void Invoke<TV>(ref TV p, TV g, ref TV s0, ref TV s1, ref TV s2) where TV : struct, ISimd<TV, T>
    {
        TV d = Maximize ? -g : g;
        if (WeightDecay != T.Zero) d = d + TV.Create(WeightDecay) * p;
        s0 = TV.Create(Alpha) * s0 + TV.Create(OneMinusAlpha) * (d * d);
        TV average;
        if (Centered)
        {
            s2 = TV.Create(Alpha) * s2 + TV.Create(OneMinusAlpha) * d;
            average = TV.Sqrt(s0 - s2 * s2) + TV.Create(Epsilon);
        }
        else
        {
            average = TV.Sqrt(s0) + TV.Create(Epsilon);
        }
        TV u = d / average;
        if (HasMomentum)
        {
            s1 = s1 * TV.Create(Momentum) + TV.Create(T.One) * u;
            u = s1;
        }
        p = p + TV.Create(NegativeLearningRate) * u;
    }
}
