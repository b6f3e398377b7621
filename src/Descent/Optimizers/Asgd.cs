using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Averaged SGD, PyTorch <c>torch.optim.ASGD</c>: p ← p (1 - λη) - η (g + wd p) with η_{t+1} = lr / (1 + λ lr t)^α, and
    /// the running average <c>ax</c> of the iterates from step t0 on (Polyak-Ruppert averaging). Evaluate with the average:
    /// <see cref="AsgdAverage{T}"/>. Composed: Maximize, AddDecayedWeights, <see cref="ScaleByAsgd{T}"/>; fused: <see cref="AsgdKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 0.01; finite, &gt;= 0.</param>
    /// <param name="lambd">λ, decay term, default 1e-4; finite, &gt;= 0.</param>
    /// <param name="alpha">α, power of the η decay, default 0.75; finite, &gt;= 0.</param>
    /// <param name="t0">step at which averaging starts, default 1e6; finite, &gt;= 0.</param>
    /// <param name="weightDecay">coupled L2 coefficient, default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr (enters η from the second step, as PyTorch reads group lr there).</param>
    /// <remarks>Polyak and Juditsky 1992; Bottou 2012; PyTorch 1.13 <c>_single_tensor_asgd</c>.</remarks>
    public static Optimizer<T> Asgd<T>(double learningRate = 0.01, double lambd = 1e-4, double alpha = 0.75, double t0 = 1e6, double weightDecay = 0,
        bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        AsgdDefinition.Lambd.Validate(lambd, nameof(lambd));
        AsgdDefinition.Alpha.Validate(alpha, nameof(alpha));
        AsgdDefinition.T0.Validate(t0, nameof(t0));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        var rule = new ScaleByAsgd<T>(lambd, alpha, t0);
        rules.Add(rule);
        return WithSchedule(new Optimizer<T>("asgd", rules, d, new AsgdFused<T>(maximize, rule)), learningRateSchedule);
    }

    /// <summary>The averaged parameters <c>ax</c> of an ASGD optimizer for <paramref name="parameterName"/> (live; equal to the
    /// parameter until averaging starts at t0).</summary>
    public static ReadOnlyMemory<T> AsgdAverage<T>(this Optimizer<T> optimizer, string parameterName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var b in optimizer.StateBuffers)
            if (b.ParameterName == parameterName && b.BufferName == ScaleByAsgd<T>.AverageName) return b.Values;
        throw new KeyNotFoundException($"No ASGD average for '{parameterName}' (not an ASGD optimizer, or no such parameter).");
    }

    private sealed class AsgdFused<T>(bool maximize, ScaleByAsgd<T> rule) : IFusedStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            var (decay, rate, mu, copy) = rule.Advance(state, context);
            var kernel = new AsgdKernel<T>
            {
                Maximize = maximize,
                WeightDecay = AddDecayedWeights<T>.Coefficient(WeightDecayMode.BeforeLearningRate, context),
                Decay = decay,
                Rate = rate,
                Mu = mu,
                Copy = copy,
            };
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer(ScaleByAsgd<T>.AverageName), Memory<T>.Empty, Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>asgd</c>.</summary>
internal sealed class AsgdDefinition() : OptimizerDefinition("asgd", "averaged SGD (decaying rate, Polyak-Ruppert average ax)",
    OptionDefinition.LearningRate(0.01).Names("lr", null), Lambd, Alpha, T0, OptionDefinition.WeightDecay().Names("weight_decay", null), OptionDefinition.Maximize)
{
    internal static readonly OptionDefinition Lambd = OptionDefinition.Number("lambd", 1e-4, ValueRange.NonNegative, "lambd", null);
    internal static readonly OptionDefinition Alpha = OptionDefinition.Number("alpha", 0.75, ValueRange.NonNegative, "alpha", null);
    internal static readonly OptionDefinition T0 = OptionDefinition.Number("t0", 1e6, ValueRange.NonNegative, "t0", null);

    public override int Position => 2010;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Asgd<T>(s.Number("lr"), s.Number("lambd"), s.Number("alpha"), s.Number("t0"), s.Number("weight_decay"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["asgd(lr=0.02, lambd=0.001, alpha=0.5, t0=2, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "asgd(lr=0.05, t0=2000)";
    public override bool ZeroGradientIsNoOp => false; // p ← p (1 - λη): λ decays parameters by itself, as in PyTorch
    public override ConvergenceCheck Quadratic => new("asgd(lr=0.05, lambd=0)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("asgd(lr=0.001, lambd=0)", 20000, 1e-2);
}
