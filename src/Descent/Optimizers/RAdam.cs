using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>RAdam (rectified Adam). Composed: Maximize, AddDecayedWeights, ScaleByRAdam, ScaleByLearningRate.</summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0], default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (L2), default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false (not in PyTorch 1.13 RAdam).</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Liu et al., ICLR 2020.</remarks>
    public static Optimizer<T> RAdam<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => L2AdamFamily<T>("radam", new ScaleByRAdam<T>(), learningRate, beta1, beta2, epsilon, weightDecay, maximize, learningRateSchedule);
}

/// <summary>Catalog entry <c>radam</c>.</summary>
internal sealed class RAdamDefinition() : OptimizerDefinition("radam", "RAdam (rectified Adam)",
    OptionDefinition.LearningRate(1e-3), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay().Names("weight_decay", null),
    OptionDefinition.Maximize)
{
    public override int Position => 600;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.RAdam<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["radam(weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "radam(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("radam(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("radam(lr=0.002)", 20000, 1e-2);
}
