using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Prodigy: learning-rate-free Adam; the step size d is estimated from the distance travelled (D-adaptation), so
    /// <c>prodigy()</c> with lr = 1 needs no tuning. Composed: [AddDecayedWeights (when not decoupled)], <see cref="ScaleByProdigy{T}"/>
    /// (a cross-parameter rule: the parameters move once every gradient has been seen). The estimate is
    /// <see cref="ScaleByProdigy{T}.EstimateOf"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1 (a multiplier of the estimate); finite, &gt;= 0. Groups may only use this lr or 0.</param>
    /// <param name="beta1">betas[0], default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="beta3">beta3: EMA coefficient of the estimate's sums, default null = sqrt(beta2); in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8 (multiplied by d); finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay, default 0; finite, &gt;= 0.</param>
    /// <param name="decoupledWeightDecay">decouple: AdamW-style decay p -= wd dlr p (default true); false: L2 added to the gradient.</param>
    /// <param name="useBiasCorrection">use_bias_correction: Adam's bias correction folded into dlr, default false.</param>
    /// <param name="safeguardWarmup">safeguard_warmup: exclude lr from s (for lr warm-up schedules), default false.</param>
    /// <param name="d0">d0: initial estimate, default 1e-6; finite, &gt; 0.</param>
    /// <param name="dCoefficient">d_coef: multiplier of the estimate, default 1; finite, &gt; 0.</param>
    /// <param name="growthRate">growth_rate: largest per-step growth factor of d, default +inf; &gt;= 1.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr (the authors recommend cosine annealing).</param>
    /// <remarks>Mishchenko and Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner", ICML 2024; defaults and
    /// semantics of the official <c>prodigyopt</c> package.</remarks>
    public static Optimizer<T> Prodigy<T>(double learningRate = 1.0, double beta1 = 0.9, double beta2 = 0.999, double? beta3 = null,
        double epsilon = 1e-8, double weightDecay = 0, bool decoupledWeightDecay = true, bool useBiasCorrection = false,
        bool safeguardWarmup = false, double d0 = 1e-6, double dCoefficient = 1.0, double growthRate = double.PositiveInfinity,
        ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        if (beta3 is { } b3 && !(b3 >= 0 && b3 < 1)) throw new ArgumentOutOfRangeException(nameof(beta3), b3, $"beta3 must be in [0, 1) (or null for sqrt(beta2)); got {b3}.");
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        ProdigyDefinition.D0.Validate(d0, nameof(d0));
        ProdigyDefinition.DCoefficient.Validate(dCoefficient, nameof(dCoefficient));
        ProdigyDefinition.GrowthRate.Validate(growthRate, nameof(growthRate));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Epsilon, epsilon), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (!decoupledWeightDecay) rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByProdigy<T>(beta3, d0, dCoefficient, growthRate, useBiasCorrection, safeguardWarmup, decoupledWeightDecay));
        return WithSchedule(new Optimizer<T>("prodigy", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>prodigy</c>.</summary>
internal sealed class ProdigyDefinition() : OptimizerDefinition("prodigy", "Prodigy: learning-rate-free Adam (D-adaptation)",
    OptionDefinition.LearningRate(1.0), OptionDefinition.Betas().Names("betas", "betas"), OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay(),
    OptionDefinition.Boolean("decouple", true, "decouple", null), OptionDefinition.Boolean("use_bias_correction", false, "use_bias_correction", null),
    OptionDefinition.Boolean("safeguard_warmup", false, "safeguard_warmup", "safeguard_warmup"), D0, DCoefficient, GrowthRate)
{
    internal static readonly OptionDefinition D0 = OptionDefinition.Number("d0", 1e-6, ValueRange.Positive, "d0", "estim_lr0");
    internal static readonly OptionDefinition DCoefficient = OptionDefinition.Number("d_coef", 1.0, ValueRange.Positive, "d_coef", "estim_lr_coef");
    /// <summary><c>growth_rate</c>: [1, +inf], +inf (unbounded growth of d) being the default.</summary>
    internal static readonly OptionDefinition GrowthRate = OptionDefinition.Number("growth_rate", double.PositiveInfinity,
        new ValueRange(1, double.PositiveInfinity, true, true), "growth_rate", null);

    public override int Position => 1500;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Prodigy<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, null, s.Number("eps"), s.Number("weight_decay"),
            s.Boolean("decouple"), s.Boolean("use_bias_correction"), s.Boolean("safeguard_warmup"), s.Number("d0"), s.Number("d_coef"), s.Number("growth_rate"));

    public override IReadOnlyList<string> Variants =>
        ["prodigy(decouple=false, weight_decay=0.01, use_bias_correction=true, safeguard_warmup=true, growth_rate=1.02)"];

    public override string TrainingExample => "prodigy()";
    public override ConvergenceCheck Quadratic => new("prodigy()", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("prodigy()", 5000, 1e-2);
}
