using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Multiplies the update by -lr (so the optimizer descends). With <c>adaGradDecay</c> the rate is
/// lr / (1 + (t - 1) lr_decay) (PyTorch Adagrad's <c>lr_decay</c>).
/// </summary>
/// <remarks>Optax <c>scale_by_learning_rate</c>.</remarks>
public sealed class ScaleByLearningRate<T>(bool adaGradDecay = false) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "scale_by_learning_rate";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) { }

    /// <summary>-lr for this step, as the factor applied to the update.</summary>
    public static T NegativeRate(bool adaGradDecay, in StepContext context)
    {
        double lr = context.LearningRate;
        if (adaGradDecay) lr /= 1 + (context.Step - 1) * context[HyperparameterKey.LearningRateDecay];
        return T.CreateTruncating(-lr);
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        T f = NegativeRate(adaGradDecay, context);
        for (int i = 0; i < update.Length; i++) update[i] = f * update[i];
    }
}
