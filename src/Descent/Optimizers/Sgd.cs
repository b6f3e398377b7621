using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Stochastic gradient descent, plain or with momentum (heavy ball, dampening, Nesterov) and L2 weight decay:
    /// d = g + wd p; b = mu b + (1 - dampening) d (b = d at step 1); d = nesterov ? d + mu b : b; p = p - lr d.
    /// Full-batch, mini-batch and single-sample SGD differ only in the gradient the caller provides.
    /// Composed: Maximize, AddDecayedWeights, Trace, ScaleByLearningRate; fused: <see cref="SgdKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 0.01 (PyTorch 1.13 has no default; Keras uses 0.01); finite, &gt;= 0.</param>
    /// <param name="momentum">momentum (Optax <c>momentum</c>), default 0; finite, &gt;= 0.</param>
    /// <param name="dampening">dampening, default 0; in [0, 1].</param>
    /// <param name="weightDecay">weight_decay (coupled L2), default 0; finite, &gt;= 0.</param>
    /// <param name="nesterov">nesterov, default false; requires momentum &gt; 0 and dampening 0.</param>
    /// <param name="maximize">maximize: ascend instead of descend; default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule: lr_t = learningRate * schedule.At(t).</param>
    /// <remarks>Robbins and Monro (1951); Polyak (1964); Sutskever et al., ICML 2013 (Nesterov form of PyTorch).</remarks>
    public static Optimizer<T> Sgd<T>(double learningRate = 0.01, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.Momentum, momentum, nameof(momentum));
        Check(HyperparameterKey.Dampening, dampening, nameof(dampening));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException($"nesterov requires momentum > 0 and dampening = 0; got momentum {momentum}, dampening {dampening}.", nameof(nesterov));
        }
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Momentum, momentum),
            (HyperparameterKey.Dampening, dampening), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        // As PyTorch, no momentum buffer without momentum. To schedule momentum, construct with a nonzero momentum.
        if (momentum != 0) rules.Add(new Trace<T>(nesterov, initializeWithFirstUpdate: true));
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("sgd", rules, d, new SgdFused<T>(maximize, nesterov, momentum != 0), v =>
        {
            if (nesterov && (v[HyperparameterKey.Momentum] <= 0 || v[HyperparameterKey.Dampening] != 0))
                throw new ArgumentException("nesterov requires momentum > 0 and dampening = 0.", "momentum");
        }), learningRateSchedule);
    }

    private sealed class SgdFused<T>(bool maximize, bool nesterov, bool momentum) : IFusedStep<T>, ICompactStateStep where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly (string, bool)[] Compact = [(Trace<T>.BufferName, true)];

        // Without momentum there is no state to compact.
        public IReadOnlyList<(string Name, bool Signed)> CompactBuffers => momentum ? Compact : [];

        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            double mu = context[HyperparameterKey.Momentum];
            T[]? trace = state.TryGetBuffer(Trace<T>.BufferName);
            var compact = state.CompactBuffers.Count > 0;
            bool hasMomentum = mu != 0 && (trace is not null || compact);
            var kernel = new SgdKernel<T>
            {
                Maximize = maximize,
                WeightDecay = AddDecayedWeights<T>.Coefficient(WeightDecayMode.BeforeLearningRate, context),
                HasMomentum = hasMomentum,
                FirstStep = context.Step == 1,
                Momentum = T.CreateTruncating(mu),
                OneMinusDampening = T.CreateTruncating(1 - context[HyperparameterKey.Dampening]),
                Nesterov = nesterov,
                NegativeLearningRate = ScaleByLearningRate<T>.NegativeRate(false, context),
            };
            if (compact)
            {
                CompactStateLoop.Run(kernel, parameter.Value, gradient, hasMomentum ? state.CompactView(Trace<T>.BufferName, context.Step) : default, default, context.MaxDegreeOfParallelism);
                return;
            }
            Memory<T> buffer = hasMomentum ? trace : Memory<T>.Empty;
            FusedLoop.Run(kernel, parameter.Value, gradient, buffer, Memory<T>.Empty, Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>sgd</c> (and, through the protected constructor, its presets <c>momentum</c> and <c>nesterov</c>).</summary>
internal class SgdDefinition : OptimizerDefinition
{
    public SgdDefinition() : this("sgd", "stochastic gradient descent (momentum, Nesterov, weight decay)", momentum: 0, nesterov: false) { }

    protected SgdDefinition(string name, string description, double momentum, bool nesterov)
        : base(name, description, OptionDefinition.LearningRate(0.01), OptionDefinition.ForKey(HyperparameterKey.Momentum, momentum, "momentum", "momentum"),
            OptionDefinition.ForKey(HyperparameterKey.Dampening, 0, "dampening", null), OptionDefinition.WeightDecay().Names("weight_decay", null),
            OptionDefinition.Boolean("nesterov", nesterov, "nesterov", "nesterov"), OptionDefinition.Maximize, OptionDefinition.State)
    {
    }

    public override int Position => 100;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Sgd<T>(s.Number("lr"), s.Number("momentum"), s.Number("dampening"), s.Number("weight_decay"), s.Boolean("nesterov"), s.Boolean("maximize")).WithState(s);

    public override IReadOnlyList<string> Variants =>
        ["sgd(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)", "sgd(lr=0.05, momentum=0.9, nesterov=true, maximize=true)"];

    public override string TrainingExample => "sgd(lr=0.1)";
    public override ConvergenceCheck Quadratic => new("sgd(lr=0.1)", 200, 1e-6);
    public override ConvergenceCheck Rosenbrock => new("sgd(lr=0.001)", 20000, 1e-2);
}

/// <summary>Catalog entry <c>momentum</c>: <c>sgd</c> with heavy-ball momentum 0.9 by default.</summary>
internal sealed class MomentumDefinition() : SgdDefinition("momentum", "SGD with heavy-ball momentum 0.9", momentum: 0.9, nesterov: false)
{
    public override int Position => 110;
    public override IReadOnlyList<string> Variants => [];
    public override string TrainingExample => "momentum(lr=0.05)";
    public override ConvergenceCheck Quadratic => new("momentum(lr=0.05)", 300, 1e-6);
    public override ConvergenceCheck Rosenbrock => new("momentum(lr=0.0005)", 10000, 1e-3);
}

/// <summary>Catalog entry <c>nesterov</c>: <c>sgd</c> with Nesterov momentum 0.9 by default.</summary>
internal sealed class NesterovDefinition() : SgdDefinition("nesterov", "SGD with Nesterov momentum 0.9", momentum: 0.9, nesterov: true)
{
    public override int Position => 120;
    public override IReadOnlyList<string> Variants => [];
    public override string TrainingExample => "nesterov(lr=0.05)";
    public override ConvergenceCheck Quadratic => new("nesterov(lr=0.05)", 300, 1e-6);
    public override ConvergenceCheck Rosenbrock => new("nesterov(lr=0.0005)", 10000, 1e-3);
}
