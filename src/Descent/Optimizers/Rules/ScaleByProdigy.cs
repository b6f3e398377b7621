using System.Numerics;
using Descent.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Prodigy: Adam whose step size d is estimated on line from the distance travelled. Per step, with the d of the previous step,
/// dlr = d lr bc (bc = sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1)) with bias correction, else 1):
/// <code>
/// r = beta3 r + (d / d0) dlr &lt;g, p0 - p&gt;          (summed over all parameters)
/// m = beta1 m + d (1 - beta1) g;  v = beta2 v + d² (1 - beta2) g²
/// s = beta3 s + (d / d0) dlr g    (safeguard warmup: (d / d0) d g)
/// d_hat = d_coef r / sum |s|;  d = max(d, d_hat) at the first estimate;  d_max = max(d_max, d_hat);  d = min(d_max, d growth_rate)
/// p = p - wd dlr p (decoupled);   p = p - dlr m / (sqrt(v) + d eps)     (with the new d in the denominator)
/// </code>
/// States per parameter: buffers <c>s</c>, <c>p0</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>; the optimizer-wide scalars
/// <c>d</c>, <c>d_max</c>, <c>d_numerator</c> and <c>k</c> are stored, identical, in every parameter's state (as prodigyopt stores
/// them in every group), so <see cref="Optimizer{T}.SaveState"/> captures them and a resumed run continues bit for bit.
/// </summary>
/// <remarks>
/// Mishchenko and Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner", ICML 2024 (arXiv:2306.06101),
/// the Adam version of the algorithm ("Prodigy (Adam version)"), in the form of the official <c>prodigyopt</c> 1.x code: the global sums are taken over all
/// parameters before any parameter moves (first pass in <see cref="Apply"/>, second pass in <see cref="EndStep"/>); the dot
/// product and |s| sums use <see cref="Reductions"/> per parameter, added in registration order (deterministic); betas,
/// d0, d_coef, growth rate and the bias-correction switch are optimizer-wide (prodigyopt reads them from group 0); groups may
/// only differ in lr by being 0 (excluded from the estimate, as prodigyopt), and in eps and weight decay. As prodigyopt, a step
/// whose sum |s| is 0 moves no parameter and leaves d and k unchanged. <c>slice_p</c> (prodigyopt 1.1) is not offered (it is 1).
/// </remarks>
public sealed class ScaleByProdigy<T> : IGlobalStepRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _scratch = [];
    private bool _active;
    private double _lr, _d, _dMax, _dlr, _beta1, _beta2, _numerator, _denominator;
    private long _k;

    /// <summary>Creates the rule; see <see cref="Optim.Prodigy{T}"/> for the meaning and ranges of the arguments (validated there).</summary>
    public ScaleByProdigy(double? beta3, double d0, double dCoefficient, double growthRate, bool useBiasCorrection, bool safeguardWarmup, bool decoupledWeightDecay)
    {
        Beta3 = beta3;
        D0 = d0;
        DCoefficient = dCoefficient;
        GrowthRate = growthRate;
        UseBiasCorrection = useBiasCorrection;
        SafeguardWarmup = safeguardWarmup;
        DecoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>EMA coefficient of the numerator and of s; null: sqrt(beta2).</summary>
    public double? Beta3 { get; }
    /// <summary>Initial estimate d0.</summary>
    public double D0 { get; }
    /// <summary>Multiplier of the estimate (d_coef).</summary>
    public double DCoefficient { get; }
    /// <summary>Largest factor by which d may grow per step (+inf: unbounded).</summary>
    public double GrowthRate { get; }
    /// <summary>Adam bias correction folded into dlr.</summary>
    public bool UseBiasCorrection { get; }
    /// <summary>Accumulate s with d instead of dlr (for runs with lr warm-up).</summary>
    public bool SafeguardWarmup { get; }
    /// <summary>Decoupled (AdamW) weight decay in the second pass; false: the factory puts L2 into the gradient instead.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc/>
    public string Name => "scale_by_prodigy";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("s", T.Zero);
        state.AddBuffer("p0", T.Zero);
        state.AddBuffer("exp_avg", T.Zero);
        state.AddBuffer("exp_avg_sq", T.Zero);
        state.AddScalar("d", D0);
        state.AddScalar("d_max", D0);
        state.AddScalar("d_numerator", 0.0);
        state.AddScalar("k", 0.0);
        if (_scratch.Length < state.Length) _scratch = new T[state.Length];
    }

    /// <summary>The current step-size estimate d of <paramref name="optimizer"/> (d0 before the first step), or NaN without parameters.</summary>
    public static double EstimateOf(Optimizer<T> optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var s in optimizer.ParameterStates) return s.Scalar("d").Value;
        return double.NaN;
    }

    /// <inheritdoc/>
    public void BeginStep(Optimizer<T> optimizer)
    {
        _active = false;
        ParameterState<T>? first = null;
        ParameterGroup<T>? firstGroup = null;
        double lr = 0;
        var groups = optimizer.Groups; // index loops: no enumerator allocation in a step
        for (int n = 0; n < groups.Count; n++)
        {
            var g = groups[n];
            lr = Math.Max(lr, g.Resolved[(int)HyperparameterKey.LearningRate]);
            if (first is null && g.States.Length > 0) { first = g.States[0]; firstGroup = g; }
        }
        for (int n = 0; n < groups.Count; n++)
        {
            double glr = groups[n].Resolved[(int)HyperparameterKey.LearningRate];
            if (glr != lr && glr != 0)
                throw new ArgumentException($"Prodigy needs every group's lr to be the same or 0; got {glr} and {lr}.", "learningRate");
        }
        if (first is null) return;
        _lr = lr;
        _d = first.Scalar("d").Value;
        _dMax = first.Scalar("d_max").Value;
        _k = (long)first.Scalar("k").Value;
        // prodigyopt takes the betas (and the other global settings) from the first group.
        _beta1 = firstGroup!.Resolved[(int)HyperparameterKey.Beta1];
        _beta2 = firstGroup.Resolved[(int)HyperparameterKey.Beta2];
        double bc = UseBiasCorrection ? Math.Sqrt(1 - Math.Pow(_beta2, _k + 1)) / (1 - Math.Pow(_beta1, _k + 1)) : 1.0;
        _dlr = _d * lr * bc;
        _numerator = first.Scalar("d_numerator").Value * (Beta3 ?? Math.Sqrt(_beta2));
        _denominator = 0;
        _active = true;
    }

    /// <summary>First pass: moments, s and the global sums; the update is left at zero (the parameters move in <see cref="EndStep"/>).</summary>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var p0 = state.Buffer("p0").AsSpan();
        if (context.Step == 1) parameter.CopyTo(p0);
        if (context.LearningRate > 0)
        {
            var m = state.Buffer("exp_avg").AsSpan();
            var v = state.Buffer("exp_avg_sq").AsSpan();
            var s = state.Buffer("s").AsSpan();
            var scratch = _scratch.AsSpan(0, update.Length);
            double beta3 = Beta3 ?? Math.Sqrt(_beta2);
            for (int i = 0; i < scratch.Length; i++) scratch[i] = p0[i] - parameter[i];
            _numerator += _d / D0 * _dlr * double.CreateTruncating(Reductions.Dot<T>(update, scratch));
            T b1 = T.CreateTruncating(_beta1), c1 = T.CreateTruncating(_d * (1 - _beta1));
            T b2 = T.CreateTruncating(_beta2), c2 = T.CreateTruncating(_d * _d * (1 - _beta2));
            T b3 = T.CreateTruncating(beta3), cs = T.CreateTruncating(SafeguardWarmup ? _d / D0 * _d : _d / D0 * _dlr);
            for (int i = 0; i < update.Length; i++)
            {
                T g = update[i];
                m[i] = m[i] * b1 + g * c1;
                v[i] = v[i] * b2 + c2 * (g * g);
                s[i] = s[i] * b3 + g * cs;
                scratch[i] = T.Abs(s[i]);
            }
            _denominator += double.CreateTruncating(Reductions.Sum<T>(scratch));
        }
        update.Clear();
    }

    /// <summary>Second pass: the new d, then every parameter moves by -dlr m / (sqrt(v) + d eps) (and decoupled decay).</summary>
    public void EndStep(Optimizer<T> optimizer, bool applied)
    {
        if (!_active) return;
        _active = false;
        if (!applied) return; // skipped or accumulated: the sums of BeginStep are dropped
        if (_denominator == 0) return; // prodigyopt: no progress possible; nothing moves, d and k unchanged
        double d = _d, dMax = _dMax, numerator = _numerator;
        if (_lr > 0)
        {
            double dHat = DCoefficient * numerator / _denominator;
            if (d == D0) d = Math.Max(d, dHat);
            dMax = Math.Max(dMax, dHat);
            d = Math.Min(dMax, d * GrowthRate);
        }
        T negativeDlr = T.CreateTruncating(-_dlr);
        var groups = optimizer.Groups;
        for (int n = 0; n < groups.Count; n++)
        {
            var g = groups[n];
            double decay = g.Resolved[(int)HyperparameterKey.WeightDecay];
            T dEps = T.CreateTruncating(d * g.Resolved[(int)HyperparameterKey.Epsilon]);
            T decayFactor = T.CreateTruncating(-decay * _dlr);
            bool decoupled = DecoupledWeightDecay && decay != 0;
            for (int j = 0; j < g.States.Length; j++)
            {
                var state = g.States[j];
                var p = g.Parameters[j].Value.Span;
                var m = state.Buffer("exp_avg");
                var v = state.Buffer("exp_avg_sq");
                for (int i = 0; i < p.Length; i++)
                {
                    T x = p[i];
                    if (decoupled) x += x * decayFactor;
                    p[i] = x + negativeDlr * (m[i] / (T.Sqrt(v[i]) + dEps));
                }
                state.Scalar("d").Value = d;
                state.Scalar("d_max").Value = dMax;
                state.Scalar("d_numerator").Value = numerator;
                state.Scalar("k").Value = _k + 1;
            }
        }
    }
}
