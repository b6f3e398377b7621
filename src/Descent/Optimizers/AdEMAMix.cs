using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// AdEMAMix: Adam with a second, slow EMA of the gradient mixed into the numerator:
    /// p = p - lr ((m̂1 + alpha m2) / (sqrt(v̂) + eps) + wd p), with optional linear alpha and half-life beta3 warmups.
    /// Composed: Maximize, ScaleByAdEMAMix, AddDecayedWeights (decoupled), ScaleByLearningRate.
    /// States <c>exp_avg_fast</c>, <c>exp_avg_slow</c>, <c>exp_avg_sq</c>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">fast EMA decay (betas[0]), default 0.9; in [0, 1).</param>
    /// <param name="beta2">second-moment decay (betas[1]), default 0.999; in [0, 1).</param>
    /// <param name="beta3">slow EMA decay (betas[2]), default 0.9999; in [0, 1).</param>
    /// <param name="alpha">weight of the slow EMA, default 2 (official code; the paper uses 5-10 for LLMs); finite, &gt;= 0. Not the RMSprop <c>alpha</c> key.</param>
    /// <param name="warmupSteps">T_{alpha,beta3}: steps of the alpha and beta3 warmups, default 0 (none); &gt;= 0.</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">decoupled decay times lr, default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Pagliardini, Ablin and Grangier, "The AdEMAMix Optimizer: Better, Faster, Older", arXiv:2409.03137 (2024), Algorithm 1.</remarks>
    public static Optimizer<T> AdEMAMix<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double beta3 = 0.9999,
        double alpha = 2.0, long warmupSteps = 0, double epsilon = 1e-8, double weightDecay = 0, bool maximize = false,
        ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.Beta3, beta3, nameof(beta3));
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        var rule = new ScaleByAdEMAMix<T>(alpha, warmupSteps);
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Beta3, beta3), (HyperparameterKey.Epsilon, epsilon), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(rule);
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("ademamix", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>ademamix</c>.</summary>
internal sealed class AdEMAMixDefinition() : OptimizerDefinition("ademamix", "AdEMAMix (fast and slow EMAs)",
    OptionDefinition.LearningRate(1e-3), OptionDefinition.Betas(), OptionDefinition.ForKey(HyperparameterKey.Beta3, 0.9999, "betas[2]", "b3"),
    OptionDefinition.Number("alpha", 2, ValueRange.NonNegative, "alpha", "alpha"), Warmup, OptionDefinition.Epsilon(1e-8),
    OptionDefinition.WeightDecay(), OptionDefinition.Maximize.Names(null, null))
{
    /// <summary><c>warmup</c>: steps of the alpha and beta3 warmups (the reference's <c>alpha_warmup</c> and <c>beta3_warmup</c> in one).</summary>
    internal static readonly OptionDefinition Warmup = OptionDefinition.Number("warmup", 0, ValueRange.Count, null, null);

    public override int Position => 1400;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
    {
        double warmup = s.Number("warmup");
        Warmup.Validate(warmup, "warmup");
        if (warmup > long.MaxValue / 2) throw new ArgumentOutOfRangeException("warmup", warmup, "warmup must be a whole number of steps >= 0.");
        return Optim.AdEMAMix<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("beta3"), s.Number("alpha"),
            (long)warmup, s.Number("eps"), s.Number("weight_decay"), s.Boolean("maximize"));
    }

    public override IReadOnlyList<string> Variants => ["ademamix(alpha=5, warmup=100, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "ademamix(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("ademamix(lr=0.05)", 2000, 1e-2);
    public override ConvergenceCheck Rosenbrock => new("ademamix(lr=0.01)", 30000, 2e-2);
}
