using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// SparseAdam, PyTorch <c>torch.optim.SparseAdam</c>: lazy Adam for embedding-style parameters: give their gradient as a
    /// <see cref="SparseGradient{T}"/> (<see cref="Parameter{T}.SparseGradient"/>) and only the rows present update their moments
    /// and values. A dense gradient is also accepted (every row present; PyTorch refuses it). Composed: Maximize,
    /// <see cref="ScaleBySparseAdam{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">default 0.9; in [0, 1).</param>
    /// <param name="beta2">default 0.999; in [0, 1).</param>
    /// <param name="epsilon">default 1e-8; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>PyTorch 1.13 <c>F.sparse_adam</c> (traces <c>sparse-adam*.json</c> with real sparse gradients, repeated rows included).</remarks>
    public static Optimizer<T> SparseAdam<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Epsilon, epsilon));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleBySparseAdam<T>());
        return WithSchedule(new Optimizer<T>("sparse_adam", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>sparse_adam</c>.</summary>
internal sealed class SparseAdamDefinition() : OptimizerDefinition("sparse_adam", "SparseAdam (lazy Adam for row-sparse gradients)",
    OptionDefinition.LearningRate(1e-3).Names("lr", null), OptionDefinition.Betas(0.9, 0.999).Names("betas", null), OptionDefinition.Epsilon(1e-8).Names("eps", null),
    OptionDefinition.Maximize)
{
    public override int Position => 2015;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.SparseAdam<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["sparse_adam(lr=1e-2, betas=[0.8, 0.99], eps=1e-6, maximize=true)"];
    public override string TrainingExample => "sparse_adam(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("sparse_adam(lr=0.01)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("sparse_adam(lr=0.01)", 5000, 1e-2);
}
