using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// LAMB: u = m̂ / (sqrt(v̂) + eps) + wd p (bias-corrected Adam direction plus decoupled decay), then per parameter buffer
    /// p = p - lr r u with the trust ratio r = ||p|| / ||u|| (1 when either norm is 0; optionally clamped).
    /// Composed: Maximize, ScaleByAdam, AddDecayedWeights, ScaleByTrustRatio, ScaleByLearningRate. States <c>exp_avg</c>, <c>exp_avg_sq</c>.
    /// To exclude biases and norms, give their group <c>trust_ratio</c> 0 and <c>weight_decay</c> 0
    /// (<c>group.Set(HyperparameterKey.TrustRatio, 0).Set(HyperparameterKey.WeightDecay, 0)</c>).
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">default 0.9; in [0, 1).</param>
    /// <param name="beta2">default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-6 (paper, Optax, timm); finite, &gt;= 0.</param>
    /// <param name="weightDecay">decoupled decay inside the trust-ratio update, default 0 (Optax; the paper used 0.01 for BERT); finite, &gt;= 0.</param>
    /// <param name="maxTrustRatio">upper clamp of the ratio, default +inf (none; timm's <c>trust_clip</c> is 1); in (0, +inf].</param>
    /// <param name="maximize">default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes", ICLR 2020, Algorithm 2; Optax <c>lamb</c>.</remarks>
    public static Optimizer<T> Lamb<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-6,
        double weightDecay = 0, double maxTrustRatio = double.PositiveInfinity, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = AdamDefaults(learningRate, beta1, beta2, epsilon, weightDecay);
        var trust = new ScaleByTrustRatio<T>(maxTrustRatio);
        d[(int)HyperparameterKey.TrustRatio] = 1;
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByAdam<T>(amsgrad: false));
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(trust);
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("lamb", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>lamb</c>.</summary>
internal sealed class LambDefinition() : OptimizerDefinition("lamb", "LAMB (Adam direction, layer-wise trust ratio)",
    OptionDefinition.LearningRate(1e-3), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-6), OptionDefinition.WeightDecay(),
    OptionDefinition.Boolean("trust_clip", false, "trust_clip", null), OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 1000;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Lamb<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            s.Boolean("trust_clip") ? 1.0 : double.PositiveInfinity, s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["lamb(trust_clip=true, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "lamb(lr=1e-2, weight_decay=0.01)";
    public override ConvergenceCheck Quadratic => new("lamb(lr=0.05)", 1000, 1e-2);
    public override ConvergenceCheck Rosenbrock => new("lamb(lr=0.002)", 30000, 2e-2);
}
