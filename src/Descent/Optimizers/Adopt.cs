using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// ADOPT: the first step only sets v = g² (no parameter change); then m = beta1 m + (1 - beta1) clip(g / max(sqrt(v), eps)),
    /// p = p - lr m, and v = beta2 v + (1 - beta2) g² after the step. Composed: Maximize, AddDecayedWeights (coupled L2, unless
    /// decoupled), ScaleByAdopt, ScaleByLearningRate. States <c>exp_avg</c>, <c>exp_avg_sq</c>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">default 0.9; in [0, 1).</param>
    /// <param name="beta2">default 0.9999 (official code); in [0, 1).</param>
    /// <param name="epsilon">floor of sqrt(v), default 1e-6 (official code); finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight decay, default 0; finite, &gt;= 0. Coupled L2 (added to g) unless <paramref name="decoupled"/>.</param>
    /// <param name="decoupled">decoupled (AdamW-style, times lr) decay instead of L2, default false (official <c>decouple=False</c>).</param>
    /// <param name="clip">clip the normalized gradient to ±(t - 1)^0.25 (official default), default true; false: the paper's unclipped Algorithm 1.</param>
    /// <param name="maximize">default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Taniguchi et al., "ADOPT: Modified Adam Can Converge with Any beta2 with the Optimal Rate", NeurIPS 2024.</remarks>
    public static Optimizer<T> Adopt<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.9999, double epsilon = 1e-6,
        double weightDecay = 0, bool decoupled = false, bool clip = true, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = AdamDefaults(learningRate, beta1, beta2, epsilon, weightDecay);
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        if (!decoupled) rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByAdopt<T>(clip, decoupled));
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("adopt", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>adopt</c>.</summary>
internal sealed class AdoptDefinition() : OptimizerDefinition("adopt", "ADOPT (momentum of the normalized gradient)",
    OptionDefinition.LearningRate(1e-3), OptionDefinition.Betas(0.9, 0.9999), OptionDefinition.Epsilon(1e-6), OptionDefinition.WeightDecay().Names("weight_decay", null),
    OptionDefinition.Boolean("decouple", false, "decouple", null), OptionDefinition.Boolean("clip", true, null, "use_clipping"), OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 1300;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Adopt<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            s.Boolean("decouple"), s.Boolean("clip"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["adopt(betas=[0.9, 0.999], decouple=true, weight_decay=0.01)", "adopt(clip=false, maximize=true)"];
    public override string TrainingExample => "adopt(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("adopt(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("adopt(lr=0.01, betas=[0.9, 0.99])", 20000, 1e-2);
}
