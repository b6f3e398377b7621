using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Adamax: m = beta1 m + (1 - beta1) u; w = max(beta2 w, |u| + eps); update = m / w / (1 - beta1^t).
/// States <c>exp_avg</c>, <c>exp_inf</c>.
/// </summary>
/// <remarks>Kingma and Ba, ICLR 2015, section 7.1 (infinity norm). eps added to |u| inside the maximum, as PyTorch.</remarks>
public sealed class ScaleByAdamax<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "scale_by_adamax";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("exp_avg", T.Zero);
        state.AddBuffer("exp_inf", T.Zero);
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer("exp_avg").AsSpan();
        var w = state.Buffer("exp_inf").AsSpan();
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1), b2 = T.CreateTruncating(beta2);
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        T scale = T.CreateTruncating(1 / (1 - Math.Pow(beta1, context.Step)));
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            m[i] = b1 * m[i] + c1 * g;
            w[i] = T.Max(b2 * w[i], T.Abs(g) + eps);
            update[i] = (m[i] / w[i]) * scale;
        }
    }
}
