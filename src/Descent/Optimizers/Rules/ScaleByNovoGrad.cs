using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// NovoGrad's direction (Ginsburg et al. 2019), per tensor: v ← ‖g‖² at the first step, then β₂ v + (1 - β₂) ‖g‖²;
/// m ← β₁ m + (g / (√v + ε) + wd p) (m = that term at the first step). update = m. A tensor-wise (layer-wise) second
/// moment: one scalar <c>nu</c> per parameter; buffer <c>exp_avg</c>.
/// </summary>
/// <remarks>Ginsburg et al., "Stochastic Gradient Methods with Layer-wise Adaptive Moments for Training of Deep Networks",
/// arXiv:1905.11286, Algorithm 1; Optax <c>scale_by_novograd</c> (same first step and the same un-damped m).</remarks>
public sealed class ScaleByNovoGrad<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>First-moment buffer.</summary>
    public const string FirstMomentName = "exp_avg";

    /// <inheritdoc/>
    public string Name => "scale_by_novograd";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer(FirstMomentName, T.Zero);
        state.AddScalar("nu", 0.0);
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer(FirstMomentName).AsSpan();
        var nu = state.Scalar("nu");
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        double squared = 0;
        for (int i = 0; i < update.Length; i++) squared += double.CreateTruncating(update[i]) * double.CreateTruncating(update[i]);
        bool first = context.Step == 1;
        nu.Value = first ? squared : beta2 * nu.Value + (1 - beta2) * squared;
        T scale = T.CreateTruncating(1 / (Math.Sqrt(nu.Value) + context[HyperparameterKey.Epsilon]));
        T wd = T.CreateTruncating(context[HyperparameterKey.WeightDecay]);
        T b1 = first ? T.Zero : T.CreateTruncating(beta1);
        for (int i = 0; i < update.Length; i++)
        {
            m[i] = b1 * m[i] + (update[i] * scale + wd * parameter[i]);
            update[i] = m[i];
        }
    }
}
