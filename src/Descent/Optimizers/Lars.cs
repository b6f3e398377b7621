using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// LARS: per parameter buffer the local rate lambda = eta ||p|| / (||g|| + wd ||p|| + eps) (1 when a norm is 0 or the group's
    /// <c>trust_ratio</c> is 0), then b = mu b + lr lambda (g + wd p) and p = p - b (Nesterov: p = p - (lr lambda (g + wd p) + mu b)).
    /// Composed: Maximize, ScaleByLars, ScaleByLearningRate, Trace (zero-initialized, no dampening). State <c>momentum_buffer</c>.
    /// </summary>
    /// <param name="learningRate">global lr (gamma), default 1.0 (Optax has no default; the paper's base rates are 2-30 with eta 0.001); finite, &gt;= 0.</param>
    /// <param name="momentum">mu, default 0.9; finite, &gt;= 0.</param>
    /// <param name="weightDecay">beta of the paper: wd p added to g and wd ||p|| to the denominator, default 0; finite, &gt;= 0.</param>
    /// <param name="trustCoefficient">eta, default 0.001 (paper, Optax); finite, &gt; 0.</param>
    /// <param name="epsilon">added to the denominator, default 0 (Optax); finite, &gt;= 0.</param>
    /// <param name="nesterov">Nesterov momentum, default false.</param>
    /// <param name="maximize">default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>You, Gitman and Ginsburg, "Large Batch Training of Convolutional Networks", arXiv:1708.03888 (2017), Algorithm 1
    /// (lr inside the momentum buffer, as the paper and Optax's order lr-then-trace).</remarks>
    public static Optimizer<T> Lars<T>(double learningRate = 1.0, double momentum = 0.9, double weightDecay = 0, double trustCoefficient = 0.001,
        double epsilon = 0, bool nesterov = false, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.Momentum, momentum, nameof(momentum));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        var lars = new ScaleByLars<T>(trustCoefficient, epsilon);
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Momentum, momentum),
            (HyperparameterKey.WeightDecay, weightDecay), (HyperparameterKey.TrustRatio, 1));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(lars);
        rules.Add(new ScaleByLearningRate<T>());
        rules.Add(new Trace<T>(nesterov, initializeWithFirstUpdate: false, useDampening: false));
        return WithSchedule(new Optimizer<T>("lars", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>lars</c>.</summary>
internal sealed class LarsDefinition() : OptimizerDefinition("lars", "LARS (layer-wise rate scaling, momentum)",
    OptionDefinition.LearningRate(1.0).Names(null, "learning_rate"), OptionDefinition.ForKey(HyperparameterKey.Momentum, 0.9, null, "momentum"),
    OptionDefinition.WeightDecay().Names(null, "weight_decay"), OptionDefinition.Number("trust_coefficient", 1e-3, ValueRange.Positive, null, "trust_coefficient"),
    OptionDefinition.Epsilon(0).Names(null, "eps"), OptionDefinition.Boolean("nesterov", false, null, "nesterov"), OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 1100;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Lars<T>(s.Number("lr"), s.Number("momentum"), s.Number("weight_decay"), s.Number("trust_coefficient"), s.Number("eps"),
            s.Boolean("nesterov"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["lars(momentum=0.8, nesterov=true, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "lars(lr=5, momentum=0.9)";
    public override ConvergenceCheck Quadratic => new("lars(lr=20, momentum=0.9)", 2000, 1e-2);
    public override ConvergenceCheck Rosenbrock => new("lars(lr=0.5, momentum=0.9)", 20000, 5e-2);
}
