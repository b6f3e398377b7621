using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// AdaGrad: g = g + wd p; s = s + g²; p = p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps).
    /// Composed: Maximize, AddDecayedWeights, ScaleByAdaGrad, ScaleByLearningRate (with decay); fused: <see cref="AdaGradKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 0.01; finite, &gt;= 0.</param>
    /// <param name="learningRateDecay">lr_decay, default 0; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (L2), default 0; finite, &gt;= 0.</param>
    /// <param name="initialAccumulatorValue">initial_accumulator_value, default 0 (Optax 0.1); finite, &gt;= 0.</param>
    /// <param name="epsilon">eps, default 1e-10 (outside the root; Optax puts 1e-7 inside); finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Duchi, Hazan and Singer, JMLR 2011.</remarks>
    public static Optimizer<T> AdaGrad<T>(double learningRate = 0.01, double learningRateDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double epsilon = 1e-10, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.LearningRateDecay, learningRateDecay, nameof(learningRateDecay));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        AdaGradDefinition.InitialAccumulatorValue.Validate(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.LearningRateDecay, learningRateDecay),
            (HyperparameterKey.WeightDecay, weightDecay), (HyperparameterKey.Epsilon, epsilon));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByAdaGrad<T>(initialAccumulatorValue));
        rules.Add(new ScaleByLearningRate<T>(adaGradDecay: true));
        return WithSchedule(new Optimizer<T>("adagrad", rules, d, new AdaGradFused<T>(maximize)), learningRateSchedule);
    }

    private sealed class AdaGradFused<T>(bool maximize) : IFusedStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            var kernel = new AdaGradKernel<T>
            {
                Maximize = maximize,
                WeightDecay = AddDecayedWeights<T>.Coefficient(WeightDecayMode.BeforeLearningRate, context),
                Epsilon = T.CreateTruncating(context[HyperparameterKey.Epsilon]),
                NegativeLearningRate = ScaleByLearningRate<T>.NegativeRate(true, context),
            };
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer("sum"), Memory<T>.Empty, Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>adagrad</c>.</summary>
internal sealed class AdaGradDefinition() : OptimizerDefinition("adagrad", "AdaGrad",
    OptionDefinition.LearningRate(0.01), OptionDefinition.ForKey(HyperparameterKey.LearningRateDecay, 0, "lr_decay", null),
    OptionDefinition.WeightDecay().Names("weight_decay", null), InitialAccumulatorValue, OptionDefinition.Epsilon(1e-10), OptionDefinition.Maximize)
{
    /// <summary><c>initial_accumulator_value</c>: a constructor argument (the initial state), finite and &gt;= 0.</summary>
    internal static readonly OptionDefinition InitialAccumulatorValue =
        OptionDefinition.Number("initial_accumulator_value", 0, ValueRange.NonNegative, "initial_accumulator_value", "initial_accumulator_value");

    public override int Position => 300;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.AdaGrad<T>(s.Number("lr"), s.Number("lr_decay"), s.Number("weight_decay"), s.Number("initial_accumulator_value"),
            s.Number("eps"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants =>
        ["adagrad(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1, maximize=true)"];

    public override string TrainingExample => "adagrad(lr=0.05)";
    public override ConvergenceCheck Quadratic => new("adagrad(lr=0.5)", 1000, 1e-4);
    public override ConvergenceCheck Rosenbrock => new("adagrad(lr=0.5)", 10000, 1e-2);
}
