using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Rectified Adam: with rho_inf = 2 / (1 - beta2) - 1 and rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t), the update is
/// m / (1 - beta1^t) times, when rho_t &gt; 5, the rectification r_t and sqrt(1 - beta2^t) / (sqrt(v) + eps).
/// States <c>exp_avg</c>, <c>exp_avg_sq</c>.
/// </summary>
/// <remarks>Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", ICLR 2020. As PyTorch 1.13, eps is added to
/// the uncorrected sqrt(v) and the threshold is rho_t &gt; 5.</remarks>
public sealed class ScaleByRAdam<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "scale_by_radam";

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
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        long t = context.Step;
        double bc1 = 1 - Math.Pow(beta1, t), bc2 = 1 - Math.Pow(beta2, t);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * t * Math.Pow(beta2, t) / bc2;
        bool rectify = rhoT > 5;
        double rect = rectify ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), c2 = T.CreateTruncating(1 - beta2);
        T invBc1 = T.CreateTruncating(1 / bc1), sqrtBc2 = T.CreateTruncating(Math.Sqrt(bc2)), r = T.CreateTruncating(rect);
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            m[i] = b1 * m[i] + c1 * g;
            v[i] = b2 * v[i] + c2 * (g * g);
            T corrected = m[i] * invBc1;
            update[i] = rectify ? corrected * (sqrtBc2 / (T.Sqrt(v[i]) + eps)) * r : corrected;
        }
    }
}
