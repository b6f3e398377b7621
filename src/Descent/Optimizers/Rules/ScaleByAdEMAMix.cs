using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// AdEMAMix: m1 = beta1 m1 + (1 - beta1) u (fast EMA), m2 = beta3_t m2 + (1 - beta3_t) u (slow EMA),
/// v = beta2 v + (1 - beta2) u²; update = (m1 / (1 - beta1^t) + alpha_t m2) / (sqrt(v) / sqrt(1 - beta2^t) + eps).
/// With warmup T &gt; 0: alpha_t = min(t alpha / T, alpha) and beta3_t = min(exp(ln(beta1) ln(beta3) /
/// ((1 - t/T) ln(beta3) + (t/T) ln(beta1))), beta3) for t &lt; T; alpha and beta3 from step T on.
/// States <c>exp_avg_fast</c>, <c>exp_avg_slow</c>, <c>exp_avg_sq</c>.
/// </summary>
/// <remarks>Pagliardini, Ablin and Grangier, "The AdEMAMix Optimizer: Better, Faster, Older", arXiv:2409.03137 (2024),
/// Algorithm 1 and the schedulers of section 3 (one T for both, as the paper; the official code allows two). The beta3 formula
/// is evaluated in its half-life form beta3_t = 0.5^(1 / H_t), H_t = (1 - t/T) H(beta1) + (t/T) H(beta3), H(b) = ln 0.5 / ln b,
/// which is algebraically the paper's and stays defined for beta1 = 0. No slow-EMA bias correction, as the paper.</remarks>
public sealed class ScaleByAdEMAMix<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>alpha (finite, &gt;= 0) and the warmup length T of alpha and beta3 (0: none).</summary>
    public ScaleByAdEMAMix(double alpha = 2.0, long warmupSteps = 0)
    {
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, +inf) (finite).");
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        Alpha = alpha;
        WarmupSteps = warmupSteps;
    }

    /// <summary>The final weight of the slow EMA.</summary>
    public double Alpha { get; }

    /// <summary>T_{alpha,beta3} (0: no warmup).</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc />
    public string Name => "scale_by_ademamix";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("exp_avg_fast", T.Zero);
        state.AddBuffer("exp_avg_slow", T.Zero);
        state.AddBuffer("exp_avg_sq", T.Zero);
    }

    /// <summary>alpha_t of step <paramref name="t"/>.</summary>
    public double AlphaAt(long t) => WarmupSteps == 0 || t >= WarmupSteps ? Alpha : Math.Min(t * Alpha / WarmupSteps, Alpha);

    /// <summary>beta3_t of step <paramref name="t"/> with final <paramref name="beta3"/> and start <paramref name="beta1"/>.</summary>
    public double Beta3At(long t, double beta1, double beta3)
    {
        if (WarmupSteps == 0 || t >= WarmupSteps) return beta3;
        double a = (double)t / WarmupSteps;
        double h = (1 - a) * HalfLifeTerm(beta1) + a * HalfLifeTerm(beta3);
        return Math.Min(Math.Pow(0.5, 1 / h), beta3);
    }

    private static double HalfLifeTerm(double beta) => Math.Log(0.5) / Math.Log(beta);

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m1 = state.Buffer("exp_avg_fast").AsSpan();
        var m2 = state.Buffer("exp_avg_slow").AsSpan();
        var v = state.Buffer("exp_avg_sq").AsSpan();
        long t = context.Step;
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        double beta3 = Beta3At(t, beta1, context[HyperparameterKey.Beta3]);
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), c2 = T.CreateTruncating(1 - beta2);
        T b3 = T.CreateTruncating(beta3), c3 = T.CreateTruncating(1 - beta3);
        T invBc1 = T.CreateTruncating(1 / (1 - Math.Pow(beta1, t)));
        T sqrtBc2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));
        T alpha = T.CreateTruncating(AlphaAt(t));
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            m1[i] = b1 * m1[i] + c1 * g;
            m2[i] = b3 * m2[i] + c3 * g;
            v[i] = b2 * v[i] + c2 * (g * g);
            update[i] = (m1[i] * invBc1 + alpha * m2[i]) / (T.Sqrt(v[i]) / sqrtBc2 + eps);
        }
    }
}
