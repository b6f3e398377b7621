using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// ADOPT: at step 1 only v = u² (the update is 0: the parameter does not move). From step t = 2:
/// n = u / max(sqrt(v), eps), clipped to [-c_t, c_t] with c_t = (t - 1)^0.25 when clipping is on;
/// m = beta1 m + (1 - beta1) n; update = m (+ wd p when the decay is decoupled); then v = beta2 v + (1 - beta2) u².
/// States <c>exp_avg</c>, <c>exp_avg_sq</c>.
/// </summary>
/// <remarks>Taniguchi et al., "ADOPT: Modified Adam Can Converge with Any beta2 with the Optimal Rate", NeurIPS 2024,
/// Algorithm 1 (v updated after the step, with the normalized gradient in m). The clipping is the official implementation's
/// (github.com/iShohei220/adopt, November 2024: <c>clip_lambda = step**0.25</c> with its 0-based step, i.e. (t - 1)^0.25 here,
/// which is 1 at the first moving step); the official code also starts m at 0 and applies decoupled decay only from step 2.</remarks>
public sealed class ScaleByAdopt<T>(bool clip = true, bool decoupledWeightDecay = false) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the normalized gradient is clipped to ±(t - 1)^0.25.</summary>
    public bool Clip { get; } = clip;

    /// <summary>Whether wd p is added to the update here (decoupled, AdamW style) rather than to the gradient.</summary>
    public bool DecoupledWeightDecay { get; } = decoupledWeightDecay;

    /// <inheritdoc />
    public string Name => "scale_by_adopt";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("exp_avg", T.Zero);
        state.AddBuffer("exp_avg_sq", T.Zero);
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer("exp_avg").AsSpan();
        var v = state.Buffer("exp_avg_sq").AsSpan();
        if (context.Step == 1)
        {
            for (int i = 0; i < update.Length; i++)
            {
                T g = update[i];
                v[i] = g * g;
                update[i] = T.Zero;
            }
            return;
        }
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), c2 = T.CreateTruncating(1 - beta2);
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        T limit = Clip ? T.CreateTruncating(Math.Pow(context.Step - 1, 0.25)) : T.PositiveInfinity;
        T wd = DecoupledWeightDecay ? T.CreateTruncating(context[HyperparameterKey.WeightDecay]) : T.Zero;
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            T n = g / T.Max(T.Sqrt(v[i]), eps);
            if (n > limit) n = limit;
            else if (n < -limit) n = -limit;
            m[i] = b1 * m[i] + c1 * n;
            v[i] = b2 * v[i] + c2 * (g * g);
            update[i] = wd == T.Zero ? m[i] : m[i] + wd * parameter[i];
        }
    }
}
