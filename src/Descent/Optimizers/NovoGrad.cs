using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// NovoGrad (Ginsburg et al. 2019): a layer-wise second moment (one scalar per tensor, from ‖g‖²), the gradient normalized by
    /// it plus decoupled-style weight decay inside the momentum: m ← β₁ m + g/(√v + ε) + wd p; p ← p - lr m.
    /// Composed: Maximize, <see cref="ScaleByNovoGrad{T}"/>, ScaleByLearningRate (no fused kernel: the norm is a reduction per tensor).
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">default 0.9; in [0, 1).</param>
    /// <param name="beta2">default 0.25 (Optax's; the paper uses 0.25-0.98); in [0, 1).</param>
    /// <param name="epsilon">default 1e-6 (Optax <c>novograd</c>); finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight decay added to the normalized gradient, default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Ginsburg et al., arXiv:1905.11286, Algorithm 1; Optax <c>novograd</c>.</remarks>
    public static Optimizer<T> NovoGrad<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.25, double epsilon = 1e-6,
        double weightDecay = 0, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = AdamDefaults(learningRate, beta1, beta2, epsilon, weightDecay);
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByNovoGrad<T>());
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("novograd", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>novograd</c>.</summary>
internal sealed class NovoGradDefinition() : OptimizerDefinition("novograd", "NovoGrad (layer-wise second moment; Ginsburg et al. 2019)",
    OptionDefinition.LearningRate(1e-3).Names(null, "learning_rate"), OptionDefinition.Betas(0.9, 0.25).Names(null, "b1, b2"),
    OptionDefinition.Epsilon(1e-6).Names(null, "eps"), OptionDefinition.WeightDecay().Names(null, "weight_decay"),
    OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 2030;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.NovoGrad<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["novograd(lr=1e-2, betas=[0.95, 0.98], eps=1e-8, weight_decay=0.001, maximize=true)"];
    public override string TrainingExample => "novograd(lr=1e-2, weight_decay=0.001)";
    public override ConvergenceCheck Quadratic => new("novograd(lr=0.0002)", 20000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("novograd(lr=0.001, betas=[0.9, 0.98])", 20000, 1e-2);
}
