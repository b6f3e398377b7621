using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>NAdam (Adam with Nesterov momentum and PyTorch's momentum schedule). Composed: Maximize, AddDecayedWeights, ScaleByNAdam, ScaleByLearningRate.</summary>
    /// <param name="learningRate">lr, default 2e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0], default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (L2), default 0; finite, &gt;= 0.</param>
    /// <param name="momentumDecay">momentum_decay (psi), default 4e-3; finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false (PyTorch 1.13 NAdam has no maximize; it negates the gradient as elsewhere).</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Dozat, ICLR 2016 workshop.</remarks>
    public static Optimizer<T> NAdam<T>(double learningRate = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0, double momentumDecay = 4e-3, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => L2AdamFamily<T>("nadam", new ScaleByNAdam<T>(), learningRate, beta1, beta2, epsilon, weightDecay, maximize, learningRateSchedule,
            (HyperparameterKey.MomentumDecay, momentumDecay, nameof(momentumDecay)));
}

/// <summary>Catalog entry <c>nadam</c>.</summary>
internal sealed class NAdamDefinition() : OptimizerDefinition("nadam", "NAdam (momentum decay)",
    OptionDefinition.LearningRate(2e-3), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay().Names("weight_decay", null),
    OptionDefinition.ForKey(HyperparameterKey.MomentumDecay, 4e-3, "momentum_decay", null), OptionDefinition.Maximize)
{
    public override int Position => 500;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.NAdam<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            s.Number("momentum_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["nadam(weight_decay=0.01, momentum_decay=0.01, maximize=true)"];
    public override string TrainingExample => "nadam(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("nadam(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("nadam(lr=0.01)", 5000, 1e-2);
}
