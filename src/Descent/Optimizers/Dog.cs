using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// DoG (Ivgi et al. 2023): SGD whose step size is the largest distance travelled from the start over the root of the summed
    /// squared gradient norms, η_t = r̄_t / √(Σ‖g‖² + ε); no learning rate to tune (lr = 1 is the method; other values scale η).
    /// Composed: Maximize, AddDecayedWeights, <see cref="ScaleByDog{T}"/> (global, two passes; no fused kernel).
    /// </summary>
    /// <param name="learningRate">lr, a multiplier of η, default 1; finite, &gt;= 0.</param>
    /// <param name="relativeInitialDistance">reps_rel, r_ε = reps_rel (1 + ‖x₀‖), default 1e-6 (the paper's); finite, &gt; 0.</param>
    /// <param name="epsilon">ε inside the root, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">coupled L2 coefficient, default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Ivgi, Hinder, Carmon, ICML 2023, Algorithm 1; the authors' <c>dog</c> package.</remarks>
    public static Optimizer<T> Dog<T>(double learningRate = 1.0, double relativeInitialDistance = 1e-6, double epsilon = 1e-8, double weightDecay = 0,
        bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        DogDefinition.RelativeInitialDistance.Validate(relativeInitialDistance, nameof(relativeInitialDistance));
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByDog<T>(relativeInitialDistance, epsilon));
        return WithSchedule(new Optimizer<T>("dog", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>dog</c>.</summary>
internal sealed class DogDefinition() : OptimizerDefinition("dog", "DoG: distance over gradients, learning-rate-free SGD (Ivgi et al. 2023)",
    OptionDefinition.LearningRate(1.0).Names("lr", null), RelativeInitialDistance, OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay(),
    OptionDefinition.Maximize.Names(null, null))
{
    internal static readonly OptionDefinition RelativeInitialDistance = OptionDefinition.Number("reps_rel", 1e-6, ValueRange.Positive, "reps_rel", "reps_rel");

    public override int Position => 2050;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Dog<T>(s.Number("lr"), s.Number("reps_rel"), s.Number("eps"), s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["dog(lr=0.5, reps_rel=1e-4, eps=1e-6, weight_decay=0.001, maximize=true)"];
    public override string TrainingExample => "dog()";
    public override ConvergenceCheck Quadratic => new("dog()", 4000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("dog()", 20000, 1e-2);
}
