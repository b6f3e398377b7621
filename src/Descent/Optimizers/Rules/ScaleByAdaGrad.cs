using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// AdaGrad scaling: s = s + u², update = u / (sqrt(s) + eps). State <c>sum</c>, initialized to
/// <paramref name="initialAccumulatorValue"/> (<c>initial_accumulator_value</c>, a constructor argument: it is read once, when the state is created).
/// </summary>
/// <param name="initialAccumulatorValue">The initial sum, finite and &gt;= 0 (PyTorch default 0, Optax 0.1).</param>
/// <remarks>Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization", JMLR 2011. Epsilon outside the root as PyTorch (Optax adds it inside).</remarks>
public sealed class ScaleByAdaGrad<T>(double initialAccumulatorValue = 0) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _initial = double.IsFinite(initialAccumulatorValue) && initialAccumulatorValue >= 0
        ? T.CreateTruncating(initialAccumulatorValue)
        : throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "initialAccumulatorValue must be in [0, +inf) (finite).");

    /// <inheritdoc />
    public string Name => "scale_by_adagrad";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
        => state.AddBuffer("sum", _initial);

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
