using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>AdaGrad scaling: s = s + u², update = u / (sqrt(s) + eps). State <c>sum</c>, initialized to <c>initial_accumulator_value</c>.</summary>
/// <remarks>Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization", JMLR 2011. Epsilon outside the root as PyTorch (Optax adds it inside).</remarks>
public sealed class ScaleByAdaGrad<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "scale_by_adagrad";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
        => state.AddBuffer("sum", T.CreateTruncating(context[HyperparameterKey.InitialAccumulatorValue]));

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var s = state.Buffer("sum").AsSpan();
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            s[i] = s[i] + g * g;
            update[i] = g / (T.Sqrt(s[i]) + eps);
        }
    }
}
