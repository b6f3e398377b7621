using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Rprop (resilient backpropagation), PyTorch <c>torch.optim.Rprop</c>: each element keeps its own step size, multiplied
    /// by η⁺ while the gradient keeps its sign and by η⁻ when it flips (then the element does not move for one step), clamped
    /// to [step_size_min, step_size_max]; the parameter moves by -sign(g) step. A full-batch method: minibatch noise flips
    /// signs at random. Composed: Maximize, <see cref="ScaleByRprop{T}"/>; fused: <see cref="RpropKernel{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr: the initial step size of every element, default 0.01; finite, &gt;= 0 (used once, at the first step, as PyTorch).</param>
    /// <param name="etaMinus">η⁻, PyTorch <c>etas[0]</c>, default 0.5; 0 &lt; η⁻ &lt; 1.</param>
    /// <param name="etaPlus">η⁺, PyTorch <c>etas[1]</c>, default 1.2; &gt; 1, finite.</param>
    /// <param name="stepSizeMin">PyTorch <c>step_sizes[0]</c>, default 1e-6; finite, &gt;= 0.</param>
    /// <param name="stepSizeMax">PyTorch <c>step_sizes[1]</c>, default 50; finite, &gt;= <paramref name="stepSizeMin"/>.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr (only its value at the first step matters).</param>
    /// <remarks>Riedmiller and Braun, ICNN 1993; PyTorch 1.13 <c>_single_tensor_rprop</c> (the Rprop⁻ variant without
    /// weight backtracking). Optax <c>rprop</c> differs: after a sign flip it keeps the step size unchanged.</remarks>
    public static Optimizer<T> Rprop<T>(double learningRate = 0.01, double etaMinus = 0.5, double etaPlus = 1.2, double stepSizeMin = 1e-6,
        double stepSizeMax = 50, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1 && double.IsFinite(etaPlus)))
        {
            throw new ArgumentOutOfRangeException(nameof(etaMinus), $"Rprop needs 0 < etaMinus < 1 < etaPlus (finite); got etas ({etaMinus}, {etaPlus}).");
        }
        if (!(stepSizeMin >= 0 && double.IsFinite(stepSizeMin) && stepSizeMax >= stepSizeMin && double.IsFinite(stepSizeMax)))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSizeMin), $"Rprop needs 0 <= stepSizeMin <= stepSizeMax (finite); got step_sizes ({stepSizeMin}, {stepSizeMax}).");
        }
        var d = Defaults((HyperparameterKey.LearningRate, learningRate));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        var rule = new ScaleByRprop<T>(etaMinus, etaPlus, stepSizeMin, stepSizeMax);
        rules.Add(rule);
        return WithSchedule(new Optimizer<T>("rprop", rules, d, new RpropFused<T>(maximize, rule)), learningRateSchedule);
    }

    private sealed class RpropFused<T>(bool maximize, ScaleByRprop<T> rule) : IFusedStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context)
        {
            var kernel = new RpropKernel<T>
            {
                Maximize = maximize,
                EtaMinus = rule.EtaMinus,
                EtaPlus = rule.EtaPlus,
                StepSizeMin = rule.StepSizeMin,
                StepSizeMax = rule.StepSizeMax,
            };
            FusedLoop.Run(kernel, parameter.Value, gradient, state.Buffer(ScaleByRprop<T>.PreviousName), state.Buffer(ScaleByRprop<T>.StepSizeName), Memory<T>.Empty, context.MaxDegreeOfParallelism);
        }
    }
}

/// <summary>Catalog entry <c>rprop</c>.</summary>
internal sealed class RpropDefinition() : OptimizerDefinition("rprop", "Rprop (per-element sign-based step sizes; full-batch)",
    OptionDefinition.LearningRate(0.01),
    // Each part's range; the factory also needs eta_minus < 1 < eta_plus and step_size_min <= step_size_max.
    new OptionDefinition("etas", OptionKind.Pair, new[] { 0.5, 1.2 }, ["eta_minus", "eta_plus"])
    {
        Range = ValueRange.Positive, PyTorchName = "etas", OptaxName = "eta_minus, eta_plus",
    },
    new OptionDefinition("step_sizes", OptionKind.Pair, new[] { 1e-6, 50.0 }, ["step_size_min", "step_size_max"])
    {
        Range = ValueRange.NonNegative, PyTorchName = "step_sizes", OptaxName = "min_step_size, max_step_size",
    },
    OptionDefinition.Maximize)
{
    public override int Position => 2000;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Rprop<T>(s.Number("lr"), s.Pair("etas").First, s.Pair("etas").Second, s.Pair("step_sizes").First, s.Pair("step_sizes").Second,
            s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["rprop(lr=0.05, etas=[0.4, 1.5], step_sizes=[1e-4, 1], maximize=true)"];
    public override bool MinibatchMethod => false;
    public override ConvergenceCheck Quadratic => new("rprop(lr=0.01)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("rprop(lr=0.001)", 20000, 1e-2);
}
