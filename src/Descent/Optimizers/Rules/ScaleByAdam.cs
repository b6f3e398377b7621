using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>Where epsilon goes in the Adam denominator (framework conventions).</summary>
public enum EpsilonPlacement
{
    /// <summary>sqrt(v / (1 - beta2^t)) + eps: PyTorch, Optax (<c>eps</c>), the paper's Algorithm 1.</summary>
    OutsideSqrt,
    /// <summary>sqrt(v / (1 - beta2^t) + eps): eps inside the square root (Optax <c>eps_root</c> style).</summary>
    InsideSqrt,
    /// <summary>sqrt(v) + eps with both bias corrections folded into the step size, lr sqrt(1 - beta2^t) / (1 - beta1^t): Keras/TF "epsilon hat" (the paper's section 2 variant).</summary>
    EpsilonHat,
}

/// <summary>
/// Adam moments: m = beta1 m + (1 - beta1) u, v = beta2 v + (1 - beta2) u², optionally v_max = max(v_max, v) (AMSGrad);
/// the update becomes (m / denominator) * bias scale. States <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>.
/// </summary>
/// <remarks>Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; AMSGrad: Reddi, Kale and Kumar,
/// "On the Convergence of Adam and Beyond", ICLR 2018 (maximum of v, as PyTorch). Bias corrections are computed in double
/// and converted once per step. PyTorch multiplies by lr / (1 - beta1^t) in one scalar; here 1 / (1 - beta1^t) and -lr are
/// two factors (a difference of at most an ulp or two).</remarks>
public sealed class ScaleByAdam<T>(bool amsgrad, EpsilonPlacement epsilonPlacement = EpsilonPlacement.OutsideSqrt) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Divide by the running maximum of the second moment (AMSGrad; PyTorch <c>amsgrad</c>).</summary>
    public bool Amsgrad { get; } = amsgrad;
    /// <summary>Where epsilon enters the denominator (default outside the square root, as PyTorch and Optax).</summary>
    public EpsilonPlacement EpsilonPlacement { get; } = epsilonPlacement;
    /// <inheritdoc />
    public string Name => "scale_by_adam";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("exp_avg", T.Zero);
        state.AddBuffer("exp_avg_sq", T.Zero);
        if (Amsgrad) state.AddBuffer("max_exp_avg_sq", T.Zero);
    }

    /// <summary>The per-step constants shared by this rule and the fused kernel: the divisor of the second moment and the scale of m / denominator.</summary>
    public static (T Divisor, T BiasScale) Constants(EpsilonPlacement placement, in StepContext context)
    {
        double b1 = context[HyperparameterKey.Beta1], b2 = context[HyperparameterKey.Beta2];
        double bc1 = 1 - Math.Pow(b1, context.Step);
        double bc2 = 1 - Math.Pow(b2, context.Step);
        return placement switch
        {
            EpsilonPlacement.OutsideSqrt => (T.CreateTruncating(Math.Sqrt(bc2)), T.CreateTruncating(1 / bc1)),
            EpsilonPlacement.InsideSqrt => (T.CreateTruncating(bc2), T.CreateTruncating(1 / bc1)),
            _ => (T.One, T.CreateTruncating(Math.Sqrt(bc2) / bc1)),
        };
    }

    /// <summary>
    /// The divisor of the second moment, the scale of m / denominator and epsilon for one step (shared by this rule and the
    /// fused kernel). For moments held as 8-bit codes (<paramref name="quantized"/>) with epsilon outside the root, both bias
    /// corrections are folded into the step and epsilon as in bitsandbytes' 8-bit kernels: m sqrt(1 - beta2^t) / (1 - beta1^t)
    /// / (sqrt(v) + eps sqrt(1 - beta2^t)), equal in exact arithmetic to PyTorch's form and one division cheaper (divisor 1);
    /// otherwise <see cref="Constants"/> and eps.
    /// </summary>
    public static (T Divisor, T BiasScale, T Epsilon) StepConstants(EpsilonPlacement placement, in StepContext context, bool quantized)
    {
        double eps = context[HyperparameterKey.Epsilon];
        if (!quantized || placement != EpsilonPlacement.OutsideSqrt)
        {
            var (divisor, scale) = Constants(placement, context);
            return (divisor, scale, T.CreateTruncating(eps));
        }
        double bc1 = 1 - Math.Pow(context[HyperparameterKey.Beta1], context.Step);
        double root = Math.Sqrt(1 - Math.Pow(context[HyperparameterKey.Beta2], context.Step));
        return (T.One, T.CreateTruncating(root / bc1), T.CreateTruncating(eps * root));
    }

    /// <summary>Whether <paramref name="state"/> holds its moments as 8-bit codes (then <see cref="StepConstants"/> folds the bias corrections).</summary>
    public static bool IsQuantized(ParameterState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var compact = state.CompactBuffers;
        for (int i = 0; i < compact.Count; i++) if (compact[i].Precision == StatePrecision.Int8) return true; // no enumerator: steps allocate nothing
        return false;
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer("exp_avg").AsSpan();
        var v = state.Buffer("exp_avg_sq").AsSpan();
        var vmax = Amsgrad ? state.Buffer("max_exp_avg_sq").AsSpan() : default;
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), c2 = T.CreateTruncating(1 - beta2);
        var (divisor, scale, eps) = StepConstants(EpsilonPlacement, context, IsQuantized(state));
        bool inside = EpsilonPlacement == EpsilonPlacement.InsideSqrt;
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            m[i] = b1 * m[i] + c1 * g;
            v[i] = b2 * v[i] + c2 * (g * g);
            T second = v[i];
            if (Amsgrad)
            {
                vmax[i] = T.Max(vmax[i], v[i]);
                second = vmax[i];
            }
            T denominator = inside ? T.Sqrt(second / divisor + eps) : T.Sqrt(second) / divisor + eps;
            update[i] = (m[i] / denominator) * scale;
        }
    }
}
