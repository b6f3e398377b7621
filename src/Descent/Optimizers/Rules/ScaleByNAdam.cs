using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// NAdam scaling with momentum decay: mu_t = beta1 (1 - 0.5 * 0.96^(t psi)); update =
/// (1 - mu_t) / (1 - prod mu) * u / d + mu_{t+1} / (1 - prod mu * mu_t * mu_{t+1}) * m / d (the extra mu_t is PyTorch 1.13's; the paper has none), d = sqrt(v / (1 - beta2^t)) + eps.
/// States <c>exp_avg</c>, <c>exp_avg_sq</c> and the scalar <c>mu_product</c>.
/// </summary>
/// <remarks>Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop; momentum schedule as PyTorch 1.13 NAdam.</remarks>
public sealed class ScaleByNAdam<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "scale_by_nadam";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("exp_avg", T.Zero);
        state.AddBuffer("exp_avg_sq", T.Zero);
        state.AddScalar("mu_product", 1.0);
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer("exp_avg").AsSpan();
        var v = state.Buffer("exp_avg_sq").AsSpan();
        var product = state.Scalar("mu_product");
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        double psi = context[HyperparameterKey.MomentumDecay];
        long t = context.Step;
        double bc2 = 1 - Math.Pow(beta2, t);
        double mu = beta1 * (1 - 0.5 * Math.Pow(0.96, t * psi));
        double muNext = beta1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        double muProduct = product.Value * mu;
        product.Value = muProduct;
        T cg = T.CreateTruncating((1 - mu) / (1 - muProduct));
        // PyTorch 1.13 counts mu_t twice in the next product (mu_product_next = mu_product * mu * mu_next); reproduced for parity.
        T cm = T.CreateTruncating(muNext / (1 - muProduct * mu * muNext));
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), c2 = T.CreateTruncating(1 - beta2);
        T div = T.CreateTruncating(bc2), eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            m[i] = b1 * m[i] + c1 * g;
            v[i] = b2 * v[i] + c2 * (g * g);
            T d = T.Sqrt(v[i] / div) + eps;
            update[i] = cg * (g / d) + cm * (m[i] / d);
        }
    }
}
