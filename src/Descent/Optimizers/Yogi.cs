using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Yogi (Zaheer et al. 2018): Adam whose second moment moves additively, v ← v - (1 - β₂) sign(v - g²) g², so it
    /// cannot grow as fast as Adam's when gradients become sparse; p ← p - lr m / (√v + ε), no bias correction.
    /// Composed: Maximize, <see cref="ScaleByYogi{T}"/>, ScaleByLearningRate; fused: <see cref="YogiKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-2 (the paper's and Optax's); finite, &gt;= 0.</param>
    /// <param name="beta1">default 0.9; in [0, 1).</param>
    /// <param name="beta2">default 0.999; in [0, 1).</param>
    /// <param name="epsilon">default 1e-3 (the paper's and Optax's; larger than Adam's); finite, &gt;= 0.</param>
    /// <param name="initialAccumulatorValue">v₀, default 1e-6 (Optax); finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Zaheer, Reddi, Sachan, Kale, Kumar, "Adaptive Methods for Nonconvex Optimization", NeurIPS 2018, Algorithm 2;
    /// Optax <c>yogi</c>. Difference from Optax: m starts at 0 as in the paper (Optax starts m at initial_accumulator_value
    /// too, which moves parameters by about 1e-6·lr/ε per step even at zero gradient).</remarks>
    public static Optimizer<T> Yogi<T>(double learningRate = 1e-2, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-3,
        double initialAccumulatorValue = 1e-6, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        YogiDefinition.InitialAccumulatorValue.Validate(initialAccumulatorValue, nameof(initialAccumulatorValue));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Epsilon, epsilon));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByYogi<T>(initialAccumulatorValue));
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("yogi", rules, d, new YogiFused<T>(maximize)), learningRateSchedule);
    }

    private sealed class YogiFused<T>(bool maximize) : IFusedStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
            var kernel = new YogiKernel<T>
            {
                Maximize = maximize,
                Beta1 = T.CreateTruncating(beta1),
                OneMinusBeta1 = T.CreateTruncating(1 - beta1),
                OneMinusBeta2 = T.CreateTruncating(1 - beta2),
                Epsilon = T.CreateTruncating(context[HyperparameterKey.Epsilon]),
                NegativeLearningRate = ScaleByLearningRate<T>.NegativeRate(false, context),
            };
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer(ScaleByYogi<T>.FirstMomentName), state.Buffer(ScaleByYogi<T>.SecondMomentName),
                Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>yogi</c>.</summary>
internal sealed class YogiDefinition() : OptimizerDefinition("yogi", "Yogi (additive second moment; Zaheer et al. 2018)",
    OptionDefinition.LearningRate(1e-2).Names(null, "learning_rate"), OptionDefinition.Betas(0.9, 0.999).Names(null, "b1, b2"),
    OptionDefinition.Epsilon(1e-3).Names(null, "eps"),
    InitialAccumulatorValue, OptionDefinition.Maximize.Names(null, null))
{
    internal static readonly OptionDefinition InitialAccumulatorValue =
        OptionDefinition.Number("initial_accumulator_value", 1e-6, ValueRange.NonNegative, null, "initial_accumulator_value");

    public override int Position => 2020;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Yogi<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("initial_accumulator_value"),
            s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["yogi(lr=1e-3, betas=[0.8, 0.99], eps=1e-6, initial_accumulator_value=0.01, maximize=true)"];
    public override string TrainingExample => "yogi(lr=1e-2)";
    public override ConvergenceCheck Quadratic => new("yogi(lr=0.01)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("yogi(lr=0.01, eps=1e-6)", 20000, 1e-2);
}
