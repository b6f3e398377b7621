using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Adadelta: a = rho a + (1 - rho) u²; delta = sqrt(acc + eps) / sqrt(a + eps) * u; acc = rho acc + (1 - rho) delta²;
/// the update becomes delta. States <c>square_avg</c>, <c>acc_delta</c>.
/// </summary>
/// <remarks>Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012. PyTorch (and here) still multiplies by lr (default 1).</remarks>
public sealed class ScaleByAdadelta<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "scale_by_adadelta";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("square_avg", T.Zero);
        state.AddBuffer("acc_delta", T.Zero);
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var a = state.Buffer("square_avg").AsSpan();
        var acc = state.Buffer("acc_delta").AsSpan();
        double rho = context[HyperparameterKey.Rho];
        T r = T.CreateTruncating(rho), c = T.CreateTruncating(1 - rho), eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            a[i] = r * a[i] + c * (g * g);
            T delta = T.Sqrt(acc[i] + eps) / T.Sqrt(a[i] + eps) * g;
            acc[i] = r * acc[i] + c * (delta * delta);
            update[i] = delta;
        }
    }
}
