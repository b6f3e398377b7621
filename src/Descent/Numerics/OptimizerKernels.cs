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
    /// <summary>Negate the gradient first (PyTorch <c>maximize=True</c>).</summary>
    public bool Maximize { get; init; }
    /// <summary>Coupled (L2) weight decay: <c>wd p</c> is added to the gradient (PyTorch <c>weight_decay</c>; 0: none).</summary>
    public T WeightDecay { get; init; }
    /// <summary>Whether a momentum buffer (state 0) is kept (momentum &gt; 0).</summary>
    public bool HasMomentum { get; init; }
    /// <summary>The first step of the buffer: it is initialized with the update itself, as PyTorch does.</summary>
    public bool FirstStep { get; init; }
    /// <summary>Momentum factor (PyTorch <c>momentum</c>).</summary>
    public T Momentum { get; init; }
    /// <summary><c>1 - dampening</c> (PyTorch <c>dampening</c>), the weight of the new update in the buffer.</summary>
    public T OneMinusDampening { get; init; }
    /// <summary>Nesterov momentum: the update is <c>d + momentum buf</c> (PyTorch <c>nesterov=True</c>).</summary>
    public bool Nesterov { get; init; }
    /// <summary><c>-lr</c> for this step (schedule applied): the update is <c>p += NegativeLearningRate d</c>.</summary>
    public T NegativeLearningRate { get; init; }

    /// <inheritdoc />
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
    /// <summary>Negate the gradient first (PyTorch <c>maximize=True</c>).</summary>
    public bool Maximize { get; init; }
    /// <summary>Coupled (L2) weight decay added to the gradient before the moments (Adam <c>weight_decay</c>; 0: none).</summary>
    public T L2 { get; init; }
    /// <summary>First-moment decay <c>beta1</c> (PyTorch <c>betas[0]</c>).</summary>
    public T Beta1 { get; init; }
    /// <summary><c>1 - beta1</c>, precomputed as the rule computes it.</summary>
    public T OneMinusBeta1 { get; init; }
    /// <summary>Second-moment decay <c>beta2</c> (PyTorch <c>betas[1]</c>).</summary>
    public T Beta2 { get; init; }
    /// <summary><c>1 - beta2</c>, precomputed as the rule computes it.</summary>
    public T OneMinusBeta2 { get; init; }
    /// <summary>Keep the running maximum of the second moment in state 2 and divide by it (PyTorch <c>amsgrad=True</c>).</summary>
    public bool Amsgrad { get; init; }
    /// <summary>Epsilon added inside the square root (<c>sqrt(v + eps)</c>) instead of outside.</summary>
    public bool EpsilonInsideSqrt { get; init; }
    /// <summary>Divisor of the second moment: sqrt(1 - beta2^t) (epsilon outside), 1 - beta2^t (inside), 1 (epsilon hat).</summary>
    public T SecondMomentDivisor { get; init; }
    /// <summary>Denominator term for numerical stability (PyTorch <c>eps</c>).</summary>
    public T Epsilon { get; init; }
    /// <summary>Multiplier of m / denominator: 1 / (1 - beta1^t), or sqrt(1 - beta2^t) / (1 - beta1^t) for epsilon hat.</summary>
    public T BiasScale { get; init; }
    /// <summary>Decoupled weight decay (AdamW, Lion): <c>wd p</c> added to the update after the adaptive scaling (0: none).</summary>
    public T DecoupledDecay { get; init; }
    /// <summary><c>-lr</c> for this step (schedule applied): the update is <c>p += NegativeLearningRate d</c>.</summary>
    public T NegativeLearningRate { get; init; }
    /// <summary>Weight decay applied after the learning rate (<c>p -= wd p</c> independent of lr; 0: none).</summary>
    public T PostDecay { get; init; }

    /// <inheritdoc />
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
        // A divisor of 1 (epsilon hat, and the folded form of 8-bit state) is skipped: x / 1 is x exactly.
        TV denominator = EpsilonInsideSqrt
            ? TV.Sqrt(v / TV.Create(SecondMomentDivisor) + TV.Create(Epsilon))
            : SecondMomentDivisor == T.One ? TV.Sqrt(v) + TV.Create(Epsilon) : TV.Sqrt(v) / TV.Create(SecondMomentDivisor) + TV.Create(Epsilon);
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
    /// <summary>Negate the gradient first (PyTorch <c>maximize=True</c>).</summary>
    public bool Maximize { get; init; }
    /// <summary>Coupled (L2) weight decay: <c>wd p</c> is added to the gradient (PyTorch <c>weight_decay</c>; 0: none).</summary>
    public T WeightDecay { get; init; }
    /// <summary>Denominator term for numerical stability (PyTorch <c>eps</c>).</summary>
    public T Epsilon { get; init; }
    /// <summary><c>-lr</c> for this step (schedule applied): the update is <c>p += NegativeLearningRate d</c>.</summary>
    public T NegativeLearningRate { get; init; }

    /// <inheritdoc />
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
    /// <summary>Negate the gradient first (PyTorch <c>maximize=True</c>).</summary>
    public bool Maximize { get; init; }
    /// <summary>Coupled (L2) weight decay: <c>wd p</c> is added to the gradient (PyTorch <c>weight_decay</c>; 0: none).</summary>
    public T WeightDecay { get; init; }
    /// <summary>Smoothing constant of the squared-gradient average (PyTorch <c>alpha</c>).</summary>
    public T Alpha { get; init; }
    /// <summary><c>1 - alpha</c>, precomputed as the rule computes it.</summary>
    public T OneMinusAlpha { get; init; }
    /// <summary>Centered RMSprop: divide by the estimated variance, keeping the gradient average in state 1 (PyTorch <c>centered=True</c>).</summary>
    public bool Centered { get; init; }
    /// <summary>Denominator term for numerical stability (PyTorch <c>eps</c>).</summary>
    public T Epsilon { get; init; }
    /// <summary>Whether a momentum buffer is kept (momentum &gt; 0; state 2, state 1 holding the gradient average when centered).</summary>
    public bool HasMomentum { get; init; }
    /// <summary>Momentum factor (PyTorch <c>momentum</c>).</summary>
    public T Momentum { get; init; }
    /// <summary><c>-lr</c> for this step (schedule applied): the update is <c>p += NegativeLearningRate d</c>.</summary>
    public T NegativeLearningRate { get; init; }

    /// <inheritdoc />
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
