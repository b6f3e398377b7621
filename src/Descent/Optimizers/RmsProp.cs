using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// RMSprop: g = g + wd p; a = alpha a + (1 - alpha) g²; (centered: c = alpha c + (1 - alpha) g, a - c² under the root);
    /// u = g / (sqrt(.) + eps); with momentum b = mu b + u, u = b; p = p - lr u.
    /// Composed: Maximize, AddDecayedWeights, ScaleByRms, Trace, ScaleByLearningRate; fused: <see cref="RmsPropKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 0.01 (Keras 1e-3); finite, &gt;= 0.</param>
    /// <param name="alpha">alpha (Keras <c>rho</c>, Optax <c>decay</c>), default 0.99; in [0, 1].</param>
    /// <param name="epsilon">eps, default 1e-8, outside the root (Keras/Optax 1e-7/1e-8 placed differently); finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (L2), default 0; finite, &gt;= 0.</param>
    /// <param name="momentum">momentum, default 0; finite, &gt;= 0. To schedule momentum, construct with a nonzero value.</param>
    /// <param name="centered">centered, default false.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Tieleman and Hinton (2012); Graves (2013) for the centered form.</remarks>
    public static Optimizer<T> RmsProp<T>(double learningRate = 0.01, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.Alpha, alpha, nameof(alpha));
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        Check(HyperparameterKey.Momentum, momentum, nameof(momentum));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Alpha, alpha), (HyperparameterKey.Epsilon, epsilon),
            (HyperparameterKey.WeightDecay, weightDecay), (HyperparameterKey.Momentum, momentum));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByRms<T>(centered));
        if (momentum != 0) rules.Add(new Trace<T>(nesterov: false, initializeWithFirstUpdate: false, useDampening: false));
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("rmsprop", rules, d, new RmsPropFused<T>(maximize, centered)), learningRateSchedule);
    }

    private sealed class RmsPropFused<T>(bool maximize, bool centered) : IFusedStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            double alpha = context[HyperparameterKey.Alpha];
            T[]? trace = state.TryGetBuffer(Trace<T>.BufferName);
            var kernel = new RmsPropKernel<T>
            {
                Maximize = maximize,
                WeightDecay = AddDecayedWeights<T>.Coefficient(WeightDecayMode.BeforeLearningRate, context),
                Alpha = T.CreateTruncating(alpha),
                OneMinusAlpha = T.CreateTruncating(1 - alpha),
                Centered = centered,
                Epsilon = T.CreateTruncating(context[HyperparameterKey.Epsilon]),
                HasMomentum = trace is not null,
                Momentum = T.CreateTruncating(context[HyperparameterKey.Momentum]),
                NegativeLearningRate = ScaleByLearningRate<T>.NegativeRate(false, context),
            };
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer("square_avg"),
                trace is null ? Memory<T>.Empty : trace, centered ? state.Buffer("grad_avg") : Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>rmsprop</c>.</summary>
internal sealed class RmsPropDefinition() : OptimizerDefinition("rmsprop", "RMSprop (centered, momentum)",
    OptionDefinition.LearningRate(0.01), OptionDefinition.ForKey(HyperparameterKey.Alpha, 0.99, "alpha", "decay"), OptionDefinition.Epsilon(1e-8),
    OptionDefinition.WeightDecay().Names("weight_decay", null), OptionDefinition.ForKey(HyperparameterKey.Momentum, 0, "momentum", "momentum"),
    OptionDefinition.Boolean("centered", false, "centered", "centered"), OptionDefinition.Maximize)
{
    public override int Position => 400;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.RmsProp<T>(s.Number("lr"), s.Number("alpha"), s.Number("eps"), s.Number("weight_decay"), s.Number("momentum"),
            s.Boolean("centered"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants =>
        ["rmsprop(lr=0.01, centered=true)", "rmsprop(lr=0.01, momentum=0.9, weight_decay=0.01)",
         "rmsprop(lr=0.01, alpha=0.9, momentum=0.5, centered=true, maximize=true)"];

    public override string TrainingExample => "rmsprop(lr=3e-4)";
    public override ConvergenceCheck Quadratic => new("rmsprop(lr=0.01)", 1000, 2e-2);
    public override ConvergenceCheck Rosenbrock => new("rmsprop(lr=0.001)", 10000, 2e-2);
}
