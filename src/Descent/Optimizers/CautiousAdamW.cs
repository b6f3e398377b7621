using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// C-AdamW: AdamW whose direction m̂ / (sqrt(v̂) + eps) is masked where it disagrees in sign with the gradient, the kept
    /// components rescaled per parameter buffer (<see cref="Cautious{T}"/>); the decoupled decay is not masked.
    /// Composed: Maximize, Cautious(ScaleByAdam), AddDecayedWeights (decoupled), ScaleByLearningRate. States <c>exp_avg</c>, <c>exp_avg_sq</c>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0], default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8 (outside the root, after bias correction, as PyTorch AdamW); finite, &gt;= 0.</param>
    /// <param name="weightDecay">decoupled decay times lr, default 1e-2 (PyTorch AdamW); finite, &gt;= 0.</param>
    /// <param name="maximize">default false.</param>
    /// <param name="normalization">rescaling of the kept components, default the official code's clamped mean.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Liang et al., "Cautious Optimizers: Improving Training with One Line of Code", arXiv:2411.16085 (2024), Algorithm 2
    /// (C-AdamW); the official code masks with exp_avg * grad &gt; 0, the same sign test since the denominator is positive.</remarks>
    public static Optimizer<T> CautiousAdamW<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 1e-2, bool maximize = false, CautiousNormalization normalization = CautiousNormalization.ClampedMean,
        ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = AdamDefaults(learningRate, beta1, beta2, epsilon, weightDecay);
        if (!Enum.IsDefined(normalization)) throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown CautiousNormalization.");
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new Cautious<T>(new ScaleByAdam<T>(amsgrad: false), normalization));
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("cautious_adamw", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>cautious_adamw</c>.</summary>
internal sealed class CautiousAdamWDefinition() : OptimizerDefinition("cautious_adamw", "C-AdamW: AdamW with the cautious mask",
    OptionDefinition.LearningRate(1e-3).Names("lr", null), OptionDefinition.Betas().Names("betas", null), OptionDefinition.Epsilon(1e-8).Names("eps", null),
    OptionDefinition.WeightDecay(1e-2).Names("weight_decay", null), OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 920;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.CautiousAdamW<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["cautious_adamw(weight_decay=0.1, maximize=true)"];
    public override string TrainingExample => "cautious_adamw(lr=1e-3, weight_decay=0.01)";
    public override ConvergenceCheck Quadratic => new("cautious_adamw(lr=0.05, weight_decay=0)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("cautious_adamw(lr=0.01, weight_decay=0)", 5000, 1e-2);
}
