using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Yogi's direction (Zaheer et al. 2018): m ← β₁ m + (1 - β₁) g; v ← v - (1 - β₂) sign(v - g²) g²;
/// update = m / (√v + ε). No bias correction, as the paper's Algorithm 2 and Optax <c>scale_by_yogi</c>; v starts at
/// <c>initial_accumulator_value</c> (Optax 1e-6). States <c>exp_avg</c>, <c>exp_avg_sq</c>.
/// </summary>
/// <remarks>Zaheer, Reddi, Sachan, Kale, Kumar, "Adaptive Methods for Nonconvex Optimization", NeurIPS 2018, Algorithm 2.
/// sign(0) = 0 (v unchanged when v = g²).</remarks>
public sealed class ScaleByYogi<T>(double initialAccumulatorValue) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>First-moment buffer.</summary>
    public const string FirstMomentName = "exp_avg";

    /// <summary>Second-moment buffer.</summary>
    public const string SecondMomentName = "exp_avg_sq";

    /// <inheritdoc/>
    public string Name => "scale_by_yogi";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer(FirstMomentName, T.Zero);
        state.AddBuffer(SecondMomentName, T.CreateTruncating(initialAccumulatorValue));
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer(FirstMomentName).AsSpan();
        var v = state.Buffer(SecondMomentName).AsSpan();
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1), c2 = T.CreateTruncating(1 - beta2);
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            T g2 = g * g;
            m[i] = b1 * m[i] + c1 * g;
            v[i] = v[i] - c2 * ScaleByLion<T>.Sign(v[i] - g2) * g2;
            update[i] = m[i] / (T.Sqrt(v[i]) + eps);
        }
    }
}
