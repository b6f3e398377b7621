using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>Adamax (Adam with the infinity norm). Composed: Maximize, AddDecayedWeights, ScaleByAdamax, ScaleByLearningRate.</summary>
    /// <param name="learningRate">lr, default 2e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0], default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (L2), default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Kingma and Ba, ICLR 2015, section 7.1.</remarks>
    public static Optimizer<T> Adamax<T>(double learningRate = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => L2AdamFamily<T>("adamax", new ScaleByAdamax<T>(), learningRate, beta1, beta2, epsilon, weightDecay, maximize, learningRateSchedule);
}

/// <summary>Catalog entry <c>adamax</c>.</summary>
internal sealed class AdamaxDefinition() : OptimizerDefinition("adamax", "Adamax (infinity norm)",
    OptionDefinition.LearningRate(2e-3), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay().Names("weight_decay", null),
    OptionDefinition.Maximize)
{
    public override int Position => 800;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Adamax<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["adamax(weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "adamax(lr=2e-3)";
    public override ConvergenceCheck Quadratic => new("adamax(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("adamax(lr=0.01)", 5000, 1e-2);
}
