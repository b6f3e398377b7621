using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>Adadelta. Composed: Maximize, AddDecayedWeights, ScaleByAdadelta, ScaleByLearningRate.</summary>
    /// <param name="learningRate">lr, default 1.0 (scales delta, as PyTorch); finite, &gt;= 0.</param>
    /// <param name="rho">rho, default 0.9; in [0, 1].</param>
    /// <param name="epsilon">eps, default 1e-6; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (L2), default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Zeiler, 2012.</remarks>
    public static Optimizer<T> Adadelta<T>(double learningRate = 1.0, double rho = 0.9, double epsilon = 1e-6, double weightDecay = 0,
        bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.Rho, rho, nameof(rho));
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Rho, rho),
            (HyperparameterKey.Epsilon, epsilon), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByAdadelta<T>());
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("adadelta", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>adadelta</c>.</summary>
internal sealed class AdadeltaDefinition() : OptimizerDefinition("adadelta", "Adadelta",
    OptionDefinition.LearningRate(1.0), OptionDefinition.ForKey(HyperparameterKey.Rho, 0.9, "rho", "rho"), OptionDefinition.Epsilon(1e-6), OptionDefinition.WeightDecay(),
    OptionDefinition.Maximize)
{
    public override int Position => 700;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Adadelta<T>(s.Number("lr"), s.Number("rho"), s.Number("eps"), s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["adadelta(rho=0.95, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "adadelta(lr=1)";

    // Adadelta stalls near the minimum (‖x‖ 0.094 after 20000 steps, 0.15 after 50000): only progress from 2 is asserted.
    public override ConvergenceCheck Quadratic => new("adadelta(lr=1)", 20000, 0.1);

    // Adadelta crawls along the valley (0.375 after 50000 steps; rho 0.9 or 0.95 worse): only progress from 2.2 is asserted.
    public override ConvergenceCheck Rosenbrock => new("adadelta(lr=0.5, rho=0.99)", 50000, 0.5);
}
