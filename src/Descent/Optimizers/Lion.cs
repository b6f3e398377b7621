using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Lion (EvoLved Sign Momentum): c = beta1 m + (1 - beta1) g; p = p - lr (sign(c) + wd p); m = beta2 m + (1 - beta2) g.
    /// Composed: Maximize, ScaleByLion, AddDecayedWeights (decoupled), ScaleByLearningRate; fused: <see cref="LionKernel{T}"/>.
    /// State <c>exp_avg</c>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-4 (the paper suggests 3-10x smaller than AdamW's); finite, &gt;= 0.</param>
    /// <param name="beta1">interpolation factor of the update (Optax b1), default 0.9; in [0, 1).</param>
    /// <param name="beta2">momentum decay (Optax b2), default 0.99; in [0, 1).</param>
    /// <param name="weightDecay">decoupled decay, multiplied by lr as in the paper and Optax, default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023, Algorithm 2.</remarks>
    public static Optimizer<T> Lion<T>(double learningRate = 1e-4, double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 0,
        bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => LionFamily<T>("lion", false, CautiousNormalization.ClampedMean, learningRate, beta1, beta2, weightDecay, maximize, learningRateSchedule);

    /// <summary>
    /// C-Lion: Lion whose sign update is masked where it disagrees in sign with the gradient, the kept components rescaled
    /// per parameter buffer (<see cref="Cautious{T}"/>); decay unmasked. No fused kernel (the mask needs a count per buffer).
    /// </summary>
    /// <param name="learningRate">lr, default 1e-4; finite, &gt;= 0.</param>
    /// <param name="beta1">default 0.9; in [0, 1).</param>
    /// <param name="beta2">default 0.99; in [0, 1).</param>
    /// <param name="weightDecay">decoupled decay times lr, default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">default false.</param>
    /// <param name="normalization">rescaling of the kept components, default the official code's clamped mean.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Liang et al., "Cautious Optimizers: Improving Training with One Line of Code", arXiv:2411.16085 (2024).</remarks>
    public static Optimizer<T> CautiousLion<T>(double learningRate = 1e-4, double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 0,
        bool maximize = false, CautiousNormalization normalization = CautiousNormalization.ClampedMean, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => LionFamily<T>("cautious_lion", true, normalization, learningRate, beta1, beta2, weightDecay, maximize, learningRateSchedule);

    private static Optimizer<T> LionFamily<T>(string kind, bool cautious, CautiousNormalization normalization, double learningRate,
        double beta1, double beta2, double weightDecay, bool maximize, ISchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        if (!Enum.IsDefined(normalization)) throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown CautiousNormalization.");
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(cautious ? new Cautious<T>(new ScaleByLion<T>(), normalization) : new ScaleByLion<T>());
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>(kind, rules, d, cautious ? null : new LionFused<T>(maximize)), schedule);
    }

    private sealed class LionFused<T>(bool maximize) : IFusedStep<T>, ICompactStateStep where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly (string, bool)[] Compact = [(ScaleByLion<T>.BufferName, true)];

        public IReadOnlyList<(string Name, bool Signed)> CompactBuffers => Compact;

        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
            var kernel = new LionKernel<T>
            {
                Maximize = maximize,
                Beta1 = T.CreateTruncating(beta1),
                OneMinusBeta1 = T.CreateTruncating(1 - beta1),
                Beta2 = T.CreateTruncating(beta2),
                OneMinusBeta2 = T.CreateTruncating(1 - beta2),
                DecoupledDecay = AddDecayedWeights<T>.Coefficient(WeightDecayMode.BeforeLearningRate, context),
                NegativeLearningRate = ScaleByLearningRate<T>.NegativeRate(false, context),
            };
            if (state.CompactBuffers.Count > 0)
            {
                CompactStateLoop.Run(kernel, parameter.Value, gradient, state.CompactView(ScaleByLion<T>.BufferName, context.Step), default, context.MaxDegreeOfParallelism);
                return;
            }
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer(ScaleByLion<T>.BufferName), Memory<T>.Empty, Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>lion</c>.</summary>
internal sealed class LionDefinition() : OptimizerDefinition("lion", "Lion (sign of interpolated momentum, decoupled decay)",
    OptionDefinition.LearningRate(1e-4), OptionDefinition.Betas(0.9, 0.99), OptionDefinition.WeightDecay(), OptionDefinition.Maximize.Names(null, null),
    OptionDefinition.State)
{
    public override int Position => 900;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Lion<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("weight_decay"), s.Boolean("maximize")).WithState(s);

    public override IReadOnlyList<string> Variants => ["lion(lr=1e-3, weight_decay=0.1)", "lion(lr=1e-3, betas=[0.95, 0.98], maximize=true)"];
    public override string TrainingExample => "lion(lr=3e-4, weight_decay=0.1)";
    public override ConvergenceCheck Quadratic => new("lion(lr=0.001)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("lion(lr=0.0003)", 20000, 1e-2);
}

/// <summary>Catalog entry <c>cautious_lion</c>.</summary>
internal sealed class CautiousLionDefinition() : OptimizerDefinition("cautious_lion", "C-Lion: Lion with the cautious mask",
    OptionDefinition.LearningRate(1e-4).Names("lr", null), OptionDefinition.Betas(0.9, 0.99).Names("betas", null),
    OptionDefinition.WeightDecay().Names("weight_decay", null), OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 910;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.CautiousLion<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["cautious_lion(lr=3e-4, weight_decay=0.1, maximize=true)"];
    public override string TrainingExample => "cautious_lion(lr=3e-4, weight_decay=0.1)";
    public override ConvergenceCheck Quadratic => new("cautious_lion(lr=0.001)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("cautious_lion(lr=0.0003)", 20000, 1e-2);
}
