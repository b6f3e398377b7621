using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// SGD with unit-wise adaptive gradient clipping, the optimizer of NFNets (Brock et al. 2021): AGC on the raw gradient, then
    /// coupled weight decay, heavy-ball or Nesterov momentum and -lr (PyTorch SGD's order). Composed: Maximize,
    /// <see cref="AdaptiveGradientClipping{T}"/>, AddDecayedWeights, Trace, ScaleByLearningRate. For AGC in front of another
    /// optimizer, put <see cref="AdaptiveGradientClipping{T}"/> first in a chain (<see cref="Chain{T}"/>).
    /// </summary>
    /// <param name="learningRate">lr, default 0.1; finite, &gt;= 0.</param>
    /// <param name="momentum">default 0.9 (NFNets); finite, &gt;= 0.</param>
    /// <param name="weightDecay">coupled L2, default 0; finite, &gt;= 0.</param>
    /// <param name="nesterov">Nesterov momentum, default true (NFNets); needs momentum &gt; 0.</param>
    /// <param name="clipping">AGC's λ, default 0.01; finite, &gt; 0.</param>
    /// <param name="clippingEpsilon">AGC's ε, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>Brock, De, Smith, Simonyan, ICML 2021, section 4.1 and appendix; Optax <c>adaptive_grad_clip</c>.</remarks>
    public static Optimizer<T> SgdAgc<T>(double learningRate = 0.1, double momentum = 0.9, double weightDecay = 0, bool nesterov = true,
        double clipping = 0.01, double clippingEpsilon = 1e-3, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        Check(HyperparameterKey.Momentum, momentum, nameof(momentum));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        if (nesterov && momentum <= 0) throw new ArgumentException($"nesterov requires momentum > 0; got {momentum}.", nameof(nesterov));
        SgdAgcDefinition.Clipping.Validate(clipping, nameof(clipping));
        SgdAgcDefinition.ClippingEpsilon.Validate(clippingEpsilon, nameof(clippingEpsilon));
        var agc = new AdaptiveGradientClipping<T>(clipping, clippingEpsilon);
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Momentum, momentum),
            (HyperparameterKey.Dampening, 0), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(agc);
        rules.Add(new AddDecayedWeights<T>());
        if (momentum != 0) rules.Add(new Trace<T>(nesterov, initializeWithFirstUpdate: true));
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>("sgd_agc", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>sgd_agc</c>.</summary>
internal sealed class SgdAgcDefinition() : OptimizerDefinition("sgd_agc", "SGD with unit-wise adaptive gradient clipping (NFNets, Brock et al. 2021)",
    OptionDefinition.LearningRate(0.1), OptionDefinition.ForKey(HyperparameterKey.Momentum, 0.9, "momentum", "momentum"),
    OptionDefinition.WeightDecay().Names("weight_decay", null), OptionDefinition.Boolean("nesterov", true, "nesterov", "nesterov"),
    Clipping, ClippingEpsilon, OptionDefinition.Maximize)
{
    internal static readonly OptionDefinition Clipping = OptionDefinition.Number("clipping", 0.01, ValueRange.Positive, null, "clipping");
    internal static readonly OptionDefinition ClippingEpsilon = OptionDefinition.Number("clipping_eps", 1e-3, ValueRange.NonNegative, null, "eps");

    public override int Position => 2060;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.SgdAgc<T>(s.Number("lr"), s.Number("momentum"), s.Number("weight_decay"), s.Boolean("nesterov"), s.Number("clipping"),
            s.Number("clipping_eps"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["sgd_agc(lr=0.05, momentum=0.5, weight_decay=0.001, nesterov=false, clipping=0.1, clipping_eps=0.01, maximize=true)"];
    public override string TrainingExample => "sgd_agc(lr=0.1, clipping=0.1)";
    public override ConvergenceCheck Quadratic => new("sgd_agc(lr=0.01, clipping=10)", 2000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("sgd_agc(lr=0.0005, clipping=10)", 20000, 1e-2);
}
