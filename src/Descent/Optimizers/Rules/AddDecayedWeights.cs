using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>Where weight decay enters the update.</summary>
public enum WeightDecayMode
{
    /// <summary>u + wd * p before the learning rate: coupled L2 when placed before the moments (PyTorch <c>weight_decay</c> of SGD/Adam), or AdamW's decoupled decay multiplied by the scheduled lr when placed after them (PyTorch, Optax, Keras AdamW).</summary>
    BeforeLearningRate,
    /// <summary>u - (schedule factor) * wd * p after the learning rate: decoupled decay multiplied by the schedule multiplier only (Loshchilov and Hutter, 2019, Algorithm 2: eta_t * lambda * theta).</summary>
    AfterLearningRate,
}

/// <summary>Adds weight decay to the update: u + wd p (or, after the learning rate, u - factor wd p). Does nothing when wd is 0.</summary>
/// <remarks>Optax <c>add_decayed_weights</c>. Decoupled weight decay: Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.</remarks>
public sealed class AddDecayedWeights<T>(WeightDecayMode mode = WeightDecayMode.BeforeLearningRate) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the decay is added before the learning rate (coupled L2 or AdamW decay, the default) or after it (decoupled, scaled by the schedule factor only).</summary>
    public WeightDecayMode Mode { get; } = mode;
    /// <inheritdoc />
    public string Name => "add_decayed_weights";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) { }

    /// <summary>The coefficient c of u + c p for this step (0: nothing to do).</summary>
    public static T Coefficient(WeightDecayMode mode, in StepContext context)
    {
        double wd = context[HyperparameterKey.WeightDecay];
        return mode == WeightDecayMode.BeforeLearningRate ? T.CreateTruncating(wd) : T.CreateTruncating(-(context.LearningRateFactor * wd));
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        T c = Coefficient(Mode, context);
        if (c == T.Zero) return;
        for (int i = 0; i < update.Length; i++) update[i] = update[i] + c * parameter[i];
    }
}
