using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Adam with optional coupled L2 weight decay and AMSGrad:
    /// g = g + wd p; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g²; p = p - lr m̂ / (sqrt(v̂) + eps).
    /// Composed: Maximize, AddDecayedWeights, ScaleByAdam, ScaleByLearningRate; fused: <see cref="AdamKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0. Optax <c>learning_rate</c>.</param>
    /// <param name="beta1">betas[0] (Optax b1), default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1] (Optax b2), default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay: L2 added to the gradient (not AdamW's decay), default 0; finite, &gt;= 0.</param>
    /// <param name="amsgrad">amsgrad: use the running maximum of v, default false.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="epsilonPlacement">framework convention for eps (default PyTorch's: outside the root, after bias correction).</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Kingma and Ba, ICLR 2015; Reddi et al., ICLR 2018 (AMSGrad).</remarks>
    public static Optimizer<T> Adam<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false, EpsilonPlacement epsilonPlacement = EpsilonPlacement.OutsideSqrt,
        ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AdamFamily<T>("adam", false, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize, epsilonPlacement,
            WeightDecayMode.BeforeLearningRate, learningRateSchedule);

    /// <summary>
    /// AdamW: Adam with decoupled weight decay, p = p - lr (m̂ / (sqrt(v̂) + eps) + wd p); with
    /// <see cref="WeightDecayMode.AfterLearningRate"/> the decay is multiplied by the schedule factor only, as in the paper.
    /// Composed: Maximize, ScaleByAdam, AddDecayedWeights, ScaleByLearningRate; fused: <see cref="AdamKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0], default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay (decoupled), default 1e-2 (PyTorch; Optax 1e-4); finite, &gt;= 0.</param>
    /// <param name="amsgrad">amsgrad, default false.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="epsilonPlacement">framework convention for eps.</param>
    /// <param name="weightDecayMode">decay times the scheduled lr (PyTorch, Optax, Keras; default) or times the schedule factor only (paper).</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019. PyTorch multiplies p by (1 - lr wd)
    /// before the Adam step; adding lr wd p to the update is the same in exact arithmetic.</remarks>
    public static Optimizer<T> AdamW<T>(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false, EpsilonPlacement epsilonPlacement = EpsilonPlacement.OutsideSqrt,
        WeightDecayMode weightDecayMode = WeightDecayMode.BeforeLearningRate, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AdamFamily<T>("adamw", true, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize, epsilonPlacement,
            weightDecayMode, learningRateSchedule);

    private static Optimizer<T> AdamFamily<T>(string kind, bool decoupled, double learningRate, double beta1, double beta2, double epsilon,
        double weightDecay, bool amsgrad, bool maximize, EpsilonPlacement placement, WeightDecayMode mode, ISchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        if (!Enum.IsDefined(placement)) throw new ArgumentOutOfRangeException(nameof(placement));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Epsilon, epsilon), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        if (!decoupled) rules.Add(new AddDecayedWeights<T>());
        rules.Add(new ScaleByAdam<T>(amsgrad, placement));
        if (decoupled && mode == WeightDecayMode.BeforeLearningRate) rules.Add(new AddDecayedWeights<T>(mode));
        rules.Add(new ScaleByLearningRate<T>());
        if (decoupled && mode == WeightDecayMode.AfterLearningRate) rules.Add(new AddDecayedWeights<T>(mode));
        return WithSchedule(new Optimizer<T>(kind, rules, d, new AdamFused<T>(decoupled, amsgrad, maximize, placement, mode)), schedule);
    }

    private sealed class AdamFused<T>(bool decoupled, bool amsgrad, bool maximize, EpsilonPlacement placement, WeightDecayMode mode)
        : IFusedStep<T>, ICompactStateStep where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly (string, bool)[] Compact = [("exp_avg", true), ("exp_avg_sq", false)];

        // AMSGrad's running maximum has no compact kernel.
        public IReadOnlyList<(string Name, bool Signed)> CompactBuffers => amsgrad ? [] : Compact;

        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
            var (divisor, scale, epsilon) = ScaleByAdam<T>.StepConstants(placement, context, ScaleByAdam<T>.IsQuantized(state));
            T decay = AddDecayedWeights<T>.Coefficient(mode, context);
            var kernel = new AdamKernel<T>
            {
                Maximize = maximize,
                L2 = decoupled ? T.Zero : AddDecayedWeights<T>.Coefficient(WeightDecayMode.BeforeLearningRate, context),
                Beta1 = T.CreateTruncating(beta1),
                OneMinusBeta1 = T.CreateTruncating(1 - beta1),
                Beta2 = T.CreateTruncating(beta2),
                OneMinusBeta2 = T.CreateTruncating(1 - beta2),
                Amsgrad = amsgrad,
                EpsilonInsideSqrt = placement == EpsilonPlacement.InsideSqrt,
                SecondMomentDivisor = divisor,
                Epsilon = epsilon,
                BiasScale = scale,
                DecoupledDecay = decoupled && mode == WeightDecayMode.BeforeLearningRate ? decay : T.Zero,
                NegativeLearningRate = ScaleByLearningRate<T>.NegativeRate(false, context),
                PostDecay = decoupled && mode == WeightDecayMode.AfterLearningRate ? decay : T.Zero,
            };
            if (state.CompactBuffers.Count > 0)
            {
                CompactStateLoop.Run(kernel, parameter.Value, gradient, state.CompactView("exp_avg", context.Step), state.CompactView("exp_avg_sq", context.Step), context.MaxDegreeOfParallelism);
                return;
            }
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer("exp_avg"), state.Buffer("exp_avg_sq"),
                amsgrad ? state.Buffer("max_exp_avg_sq") : Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>adam</c> (and, through the protected constructor, its preset <c>amsgrad</c>).</summary>
internal class AdamDefinition : OptimizerDefinition
{
    public AdamDefinition() : this("adam", "Adam (L2 weight decay, AMSGrad)", amsgrad: false) { }

    protected AdamDefinition(string name, string description, bool amsgrad)
        : base(name, description, OptionDefinition.LearningRate(1e-3), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-8),
            OptionDefinition.WeightDecay().Names("weight_decay", null), OptionDefinition.Boolean("amsgrad", amsgrad, "amsgrad", null),
            OptionDefinition.Maximize, OptionDefinition.EpsilonPlacement,
            OptionDefinition.State)
    {
    }

    public override int Position => 200;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Adam<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            s.Boolean("amsgrad"), s.Boolean("maximize"), OptimizerCatalog.PlacementOf(s)).WithState(s);

    public override IReadOnlyList<string> Variants =>
        ["adam(lr=1e-2, weight_decay=0.1, amsgrad=true)", "adam(lr=1e-2, eps_placement=inside)", "adam(lr=1e-2, eps=1e-3, maximize=true, eps_placement=hat)"];

    public override string TrainingExample => "adam(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("adam(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("adam(lr=0.01)", 5000, 1e-2);
}

/// <summary>Catalog entry <c>amsgrad</c>: <c>adam</c> with AMSGrad on by default.</summary>
internal sealed class AmsGradDefinition() : AdamDefinition("amsgrad", "Adam with AMSGrad", amsgrad: true)
{
    public override int Position => 210;
    public override IReadOnlyList<string> Variants => [];
    public override string TrainingExample => "amsgrad(lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("amsgrad(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("amsgrad(lr=0.01)", 20000, 1e-2);
}

/// <summary>Catalog entry <c>adamw</c>.</summary>
internal sealed class AdamWDefinition() : OptimizerDefinition("adamw", "Adam with decoupled weight decay",
    OptionDefinition.LearningRate(1e-3), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay(1e-2),
    OptionDefinition.Boolean("amsgrad", false, "amsgrad", null), OptionDefinition.Maximize, OptionDefinition.EpsilonPlacement,
    OptionDefinition.Word("decay_mode", "lr", "lr", "schedule"), OptionDefinition.State)
{
    public override int Position => 220;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.AdamW<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            s.Boolean("amsgrad"), s.Boolean("maximize"), OptimizerCatalog.PlacementOf(s),
            s.Word("decay_mode") == "schedule" ? WeightDecayMode.AfterLearningRate : WeightDecayMode.BeforeLearningRate).WithState(s);

    public override IReadOnlyList<string> Variants =>
        ["adamw(lr=1e-2, weight_decay=0.05)", "adamw(lr=1e-2, amsgrad=true)", "adamw(lr=1e-2, weight_decay=0.1, decay_mode=schedule)"];

    public override string TrainingExample => "adamw(lr=1e-3, weight_decay=0.01)";
    public override ConvergenceCheck Quadratic => new("adamw(lr=0.05, weight_decay=0)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("adamw(lr=0.01, weight_decay=0)", 5000, 1e-2);
}
