using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// FTRL-Proximal (McMahan et al. 2013) with Keras' semantics (<c>keras.optimizers.Ftrl</c>): with n the accumulator and
/// z the linear term, per element
/// g' = g + 2 λ₂ₛ w; n' = n + g²; z ← z + g' - (n'^{-c} - n^{-c}) / lr · w; w ← (clip(z, -λ₁, λ₁) - z) / (n'^{-c} / lr + 2 (λ₂ + β / (2 lr)));
/// n ← n', c = <c>learning_rate_power</c>. The rule writes update = w_new - w. Buffers <c>accumulator</c>, <c>linear</c>.
/// </summary>
/// <remarks>McMahan et al., "Ad Click Prediction: a View from the Trenches", KDD 2013, Algorithm 1 (per-coordinate rates,
/// L1 and L2); Keras 3 <c>Ftrl.update_step</c>. As in Keras the closed form sets w from z alone, so the first step moves
/// weights that did not start at 0 even for a zero gradient (FTRL assumes zero-initialized weights).</remarks>
public sealed class ScaleByFtrl<T>(double learningRatePower, double initialAccumulatorValue, double l1, double l2, double l2Shrinkage, double beta)
    : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The accumulator n.</summary>
    public const string AccumulatorName = "accumulator";

    /// <summary>The linear term z.</summary>
    public const string LinearName = "linear";

    /// <inheritdoc/>
    public string Name => "scale_by_ftrl";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer(AccumulatorName, T.CreateTruncating(initialAccumulatorValue));
        state.AddBuffer(LinearName, T.Zero);
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var n = state.Buffer(AccumulatorName).AsSpan();
        var z = state.Buffer(LinearName).AsSpan();
        double lrValue = context.LearningRate;
        T lr = T.CreateTruncating(lrValue);
        T power = T.CreateTruncating(-learningRatePower);
        T twoL2 = T.CreateTruncating(2 * (l2 + beta / (2 * lrValue)));
        T shrink = T.CreateTruncating(2 * l2Shrinkage);
        T bound = T.CreateTruncating(l1);
        for (int i = 0; i < update.Length; i++)
        {
            T w = parameter[i];
            T g = update[i];
            T gUse = g + shrink * w;
            T next = n[i] + g * g;
            T nextPower = T.Pow(next, power);
            z[i] = z[i] + (gUse - (nextPower - T.Pow(n[i], power)) / lr * w);
            T quadratic = nextPower / lr + twoL2;
            T clipped = T.Clamp(z[i], -bound, bound);
            T wNew = (clipped - z[i]) / quadratic;
            n[i] = next;
            update[i] = wNew - w;
        }
    }
}
