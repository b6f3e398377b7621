using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Adafactor with Hugging Face transformers semantics: factored second moments (row and column accumulators) for
    /// parameters of rank &gt;= 2 (register them with their shape), unfactored otherwise; beta2_t = 1 - t^decayRate; update
    /// clipping by RMS; relative step min(1e-2, 1/sqrt(t)) times max(eps2, RMS(p)) when no learning rate is given.
    /// <c>Optim.Adafactor&lt;float&gt;()</c> needs no arguments. Composed: Maximize, ScaleByAdafactor (the whole step).
    /// </summary>
    /// <param name="learningRate">null (default): relative step, rho_t = min(lr, 1/sqrt(t)) with the lr key at 1e-2 (HF's constant;
    /// PyTorch 2.5 uses its lr the same way); a value: the constant step (HF <c>relative_step=False</c>); finite, &gt;= 0.</param>
    /// <param name="relativeStep">null (default): relative step exactly when no learning rate is given; true with a learning rate:
    /// rho_t = min(learningRate, 1/sqrt(t)) (PyTorch 2.5's rule); false without one: the constant step 1e-2.</param>
    /// <param name="epsilon1">eps[0], added to g², default 1e-30; finite, &gt;= 0.</param>
    /// <param name="epsilon2">eps[1], floor of RMS(p) in the parameter scale, default 1e-3; finite, &gt;= 0.</param>
    /// <param name="clipThreshold">d of the update clipping, default 1.0; in (0, +inf].</param>
    /// <param name="decayRate">exponent of beta2_t = 1 - t^decayRate, default -0.8; in (-inf, 0].</param>
    /// <param name="beta1">null (default): no first moment; a value in [0, 1): EMA of the scaled update (state <c>exp_avg</c>).</param>
    /// <param name="weightDecay">decoupled decay times alpha_t, default 0; finite, &gt;= 0.</param>
    /// <param name="scaleParameter">multiply the step by max(eps2, RMS(p)), default true (HF).</param>
    /// <param name="warmupInit">relative step min(1e-6 t, 1/sqrt(t)), default false; only with the relative step.</param>
    /// <param name="maximize">default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for the lr key.</param>
    /// <remarks>Shazeer and Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost", ICML 2018. See <see cref="ScaleByAdafactor{T}"/>.</remarks>
    public static Optimizer<T> Adafactor<T>(double? learningRate = null, double epsilon1 = 1e-30, double epsilon2 = 1e-3, double clipThreshold = 1.0,
        double decayRate = -0.8, double? beta1 = null, double weightDecay = 0, bool scaleParameter = true, bool warmupInit = false,
        bool maximize = false, ISchedule? learningRateSchedule = null, bool? relativeStep = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double lr = learningRate ?? 1e-2;
        bool relative = relativeStep ?? learningRate is null;
        Check(HyperparameterKey.LearningRate, lr, nameof(learningRate));
        if (beta1 is { } b1) Check(HyperparameterKey.Beta1, b1, nameof(beta1));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        var rule = new ScaleByAdafactor<T>(relative, scaleParameter, warmupInit, firstMoment: beta1 is not null,
            epsilon1, epsilon2, clipThreshold, decayRate);
        var d = Defaults((HyperparameterKey.LearningRate, lr), (HyperparameterKey.WeightDecay, weightDecay));
        if (beta1 is { } b) d[(int)HyperparameterKey.Beta1] = b;
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(rule);
        return WithSchedule(new Optimizer<T>("adafactor", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>adafactor</c> (<c>beta1=0</c> means no first moment, as Hugging Face's <c>beta1=None</c>).</summary>
internal sealed class AdafactorDefinition() : OptimizerDefinition("adafactor", "Adafactor (factored second moments, relative step)",
    OptionDefinition.LearningRate(1e-2).Names("lr", "learning_rate"), OptionDefinition.Boolean("relative_step", true, "relative_step", null),
    OptionDefinition.Number("eps1", 1e-30, ValueRange.NonNegative, "eps[0]", "eps"),
    OptionDefinition.Number("eps2", 1e-3, ValueRange.NonNegative, "eps[1]", null),
    OptionDefinition.Number("clip_threshold", 1.0, new ValueRange(0, double.PositiveInfinity, false, true), "clip_threshold", "clipping_threshold"),
    OptionDefinition.Number("decay_rate", -0.8, ValueRange.AtMost(0), "decay_rate", null),
    OptionDefinition.ForKey(HyperparameterKey.Beta1, 0, "beta1", "momentum"), OptionDefinition.WeightDecay().Names("weight_decay", "weight_decay_rate"),
    OptionDefinition.Boolean("scale_parameter", true, "scale_parameter", "multiply_by_parameter_scale"),
    OptionDefinition.Boolean("warmup_init", false, "warmup_init", null), OptionDefinition.Maximize.Names(null, null))
{
    public override int Position => 1200;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
    {
        double beta1 = s.Number("beta1");
        return Optim.Adafactor<T>(s.Number("lr"), s.Number("eps1"), s.Number("eps2"), s.Number("clip_threshold"), s.Number("decay_rate"),
            beta1 == 0 ? null : beta1, s.Number("weight_decay"), s.Boolean("scale_parameter"), s.Boolean("warmup_init"), s.Boolean("maximize"),
            relativeStep: s.Boolean("relative_step"));
    }

    public override IReadOnlyList<string> Variants =>
        ["adafactor(lr=1e-3, relative_step=false, beta1=0.9, weight_decay=0.01)", "adafactor(warmup_init=true, scale_parameter=false, maximize=true)"];

    public override string TrainingExample => "adafactor(lr=1e-3, relative_step=false)";
    public override ConvergenceCheck Quadratic => new("adafactor(lr=0.05, relative_step=false)", 1000, 1e-2);
    public override ConvergenceCheck Rosenbrock => new("adafactor(lr=0.003, relative_step=false)", 20000, 2e-2);
}
