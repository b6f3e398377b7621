using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Schedule-free AdamW: no learning-rate schedule is needed; gradients are taken at y (the parameter buffer during
    /// training), and the average x, used for evaluation, is put into the buffer by <see cref="ScheduleFree.SwitchToEvaluation{T}"/>.
    /// Composed: [Maximize], <see cref="ScaleByScheduleFree{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 0.0025 (official default); finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0]: the interpolation y = (1 - beta1) z + beta1 x, default 0.9; in (0, 1).</param>
    /// <param name="beta2">betas[1], default 0.999; in [0, 1).</param>
    /// <param name="epsilon">eps, default 1e-8; finite, &gt;= 0.</param>
    /// <param name="weightDecay">weight_decay, evaluated at y, default 0; finite, &gt;= 0.</param>
    /// <param name="warmupSteps">warmup_steps: linear warm-up inside the optimizer, default 0; &gt;= 0.</param>
    /// <param name="r">r: polynomial weighting of the average, default 0; finite, &gt;= 0.</param>
    /// <param name="weightLearningRatePower">weight_lr_power, default 2; finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr (not needed; the method replaces schedules).</param>
    /// <param name="exactModeSwitch">keep y while evaluating so the switch back is exact (one more buffer), default false; see <see cref="ScaleByScheduleFree{T}.ExactModeSwitch"/>.</param>
    /// <remarks>Defazio et al., "The Road Less Scheduled", NeurIPS 2024; official <c>schedulefree.AdamWScheduleFree</c>.</remarks>
    public static Optimizer<T> ScheduleFreeAdamW<T>(double learningRate = 0.0025, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, long warmupSteps = 0, double r = 0, double weightLearningRatePower = 2,
        bool maximize = false, ISchedule? learningRateSchedule = null, bool exactModeSwitch = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        if (beta1 == 0) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 (betas[0]) must be in (0, 1) for schedule-free AdamW (x = y / beta1 ...); got 0.");
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        CheckScheduleFree(warmupSteps, r, weightLearningRatePower);
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Epsilon, epsilon), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByScheduleFree<T>(true, warmupSteps, r, weightLearningRatePower, exactModeSwitch));
        return WithSchedule(new Optimizer<T>("schedule_free_adamw", rules, d, validate: v =>
        {
            if (v[HyperparameterKey.Beta1] == 0) throw new ArgumentOutOfRangeException("beta1", 0.0, "beta1 (betas[0]) must be in (0, 1) for schedule-free AdamW; got 0.");
        }), learningRateSchedule);
    }

    /// <summary>
    /// Schedule-free SGD: SGD with momentum replaced by interpolation and averaging (see <see cref="ScheduleFreeAdamW{T}"/>).
    /// Composed: [Maximize], <see cref="ScaleByScheduleFree{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1.0 (official default); finite, &gt;= 0.</param>
    /// <param name="momentum">momentum: the interpolation y = (1 - momentum) z + momentum x, default 0.9; in (0, 1).</param>
    /// <param name="weightDecay">weight_decay (L2, evaluated at y), default 0; finite, &gt;= 0.</param>
    /// <param name="warmupSteps">warmup_steps, default 0; &gt;= 0.</param>
    /// <param name="r">r, default 0; finite, &gt;= 0.</param>
    /// <param name="weightLearningRatePower">weight_lr_power, default 2; finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <param name="exactModeSwitch">keep y while evaluating so the switch back is exact (one more buffer), default false.</param>
    /// <remarks>Defazio et al., "The Road Less Scheduled", NeurIPS 2024; official <c>schedulefree.SGDScheduleFree</c>.</remarks>
    public static Optimizer<T> ScheduleFreeSgd<T>(double learningRate = 1.0, double momentum = 0.9, double weightDecay = 0,
        long warmupSteps = 0, double r = 0, double weightLearningRatePower = 2, bool maximize = false, ISchedule? learningRateSchedule = null,
        bool exactModeSwitch = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        ScheduleFreeSgdDefinition.Momentum.Validate(momentum, nameof(momentum));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        CheckScheduleFree(warmupSteps, r, weightLearningRatePower);
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Momentum, momentum), (HyperparameterKey.WeightDecay, weightDecay));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByScheduleFree<T>(false, warmupSteps, r, weightLearningRatePower, exactModeSwitch));
        return WithSchedule(new Optimizer<T>("schedule_free_sgd", rules, d, validate: v =>
        {
            double m = v[HyperparameterKey.Momentum];
            if (!(m > 0 && m < 1)) throw new ArgumentOutOfRangeException("momentum", m, $"momentum must be in (0, 1) for schedule-free SGD; got {m}.");
        }), learningRateSchedule);
    }

    private static void CheckScheduleFree(long warmupSteps, double r, double power)
    {
        ScheduleFreeAdamWDefinition.WarmupSteps.Validate(warmupSteps, nameof(warmupSteps));
        ScheduleFreeAdamWDefinition.R.Validate(r, nameof(r));
        ScheduleFreeAdamWDefinition.WeightLearningRatePower.Validate(power, "weightLearningRatePower");
    }
}

/// <summary>
/// The train/evaluation switch of the schedule-free optimizers (<c>optimizer.train()</c> / <c>optimizer.eval()</c> of the
/// official code). During training the parameter buffers hold y; for evaluation (and for the final model) they must hold
/// the average x. The mode is state scalar <c>train_mode</c> of every parameter, so a snapshot taken in either mode
/// restores that mode exactly (with the parameter values, which the caller saves).
/// </summary>
public static class ScheduleFree
{
    /// <summary>Rewrites every parameter buffer from y to x = lerp(y, z, 1 - 1/beta) (as the official <c>eval()</c>); no-op when already evaluating.</summary>
    public static void SwitchToEvaluation<T>(this Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
        => Switch(optimizer, training: false);

    /// <summary>Rewrites every parameter buffer from x back to y = lerp(x, z, 1 - beta) (as the official <c>train()</c>); no-op when already training.</summary>
    public static void SwitchToTraining<T>(this Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
        => Switch(optimizer, training: true);

    /// <summary>Whether the buffers hold the training point y (true) or the average x (false).</summary>
    public static bool IsTraining<T>(this Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Find(optimizer);
        foreach (var s in optimizer.ParameterStates) return s.Scalar("train_mode").Value == 1.0;
        return true;
    }

    private static ScaleByScheduleFree<T> Find<T>(Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var r in optimizer.Rules) if (r is ScaleByScheduleFree<T> sf) return sf;
        throw new ArgumentException($"'{optimizer.Kind}' is not a schedule-free optimizer.", nameof(optimizer));
    }

    private static void Switch<T>(Optimizer<T> optimizer, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = Find(optimizer);
        double target = training ? 1.0 : 0.0;
        foreach (var g in optimizer.Groups)
        {
            double beta = g.Get(rule.InterpolationKey).At(optimizer.StepCount);
            T w = T.CreateTruncating(training ? 1 - beta : 1 - 1 / beta);
            for (int j = 0; j < g.Parameters.Count; j++)
            {
                var state = g.ParameterStates[j];
                var mode = state.Scalar("train_mode");
                if (mode.Value == target) continue;
                if (state.Step > 0) // z exists only after the first step (official: 'z' in state)
                {
                    var p = g.Parameters[j].Value.Span;
                    var z = state.Buffer("z");
                    if (rule.ExactModeSwitch && training)
                    {
                        state.Buffer("y").AsSpan().CopyTo(p);
                    }
                    else
                    {
                        if (rule.ExactModeSwitch) p.CopyTo(state.Buffer("y"));
                        for (int i = 0; i < p.Length; i++) p[i] = TorchLerp.Lerp(p[i], z[i], w);
                    }
                }
                mode.Value = target;
            }
        }
    }
}

/// <summary>Catalog entry <c>schedule_free_adamw</c>.</summary>
internal sealed class ScheduleFreeAdamWDefinition() : OptimizerDefinition("schedule_free_adamw", "Schedule-free AdamW (call SwitchToEvaluation/SwitchToTraining)",
    OptionDefinition.LearningRate(0.0025), OptionDefinition.Betas(), OptionDefinition.Epsilon(1e-8), OptionDefinition.WeightDecay(),
    WarmupSteps, R, WeightLearningRatePower, OptionDefinition.Maximize.Names(null, null))
{
    internal static readonly OptionDefinition WarmupSteps = OptionDefinition.Number("warmup_steps", 0, ValueRange.Count, "warmup_steps", "warmup_steps");
    internal static readonly OptionDefinition R = OptionDefinition.Number("r", 0, ValueRange.NonNegative, "r", null);
    internal static readonly OptionDefinition WeightLearningRatePower = OptionDefinition.Number("weight_lr_power", 2, ValueRange.NonNegative, "weight_lr_power", "weight_lr_power");

    public override int Position => 1600;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.ScheduleFreeAdamW<T>(s.Number("lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Number("weight_decay"),
            OptimizerCatalog.WholeNumber(s.Number("warmup_steps"), "warmup_steps"), s.Number("r"), s.Number("weight_lr_power"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["schedule_free_adamw(warmup_steps=3, r=1, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "schedule_free_adamw(lr=2.5e-3)";
    public override ConvergenceCheck Quadratic => new("schedule_free_adamw(lr=0.05)", 1000, 1e-3);
    public override ConvergenceCheck Rosenbrock => new("schedule_free_adamw(lr=0.01)", 20000, 1e-2);
}

/// <summary>Catalog entry <c>schedule_free_sgd</c>.</summary>
internal sealed class ScheduleFreeSgdDefinition() : OptimizerDefinition("schedule_free_sgd", "Schedule-free SGD (call SwitchToEvaluation/SwitchToTraining)",
    OptionDefinition.LearningRate(1.0), Momentum, OptionDefinition.WeightDecay(), ScheduleFreeAdamWDefinition.WarmupSteps, ScheduleFreeAdamWDefinition.R,
    ScheduleFreeAdamWDefinition.WeightLearningRatePower, OptionDefinition.Maximize.Names(null, null))
{
    /// <summary><c>momentum</c>: a key, but schedule-free SGD interpolates with it and divides by it: (0, 1).</summary>
    internal static readonly OptionDefinition Momentum = OptionDefinition.ForKey(HyperparameterKey.Momentum, 0.9, "momentum", "b1").Within(new ValueRange(0, 1, false, false));

    public override int Position => 1610;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.ScheduleFreeSgd<T>(s.Number("lr"), s.Number("momentum"), s.Number("weight_decay"),
            OptimizerCatalog.WholeNumber(s.Number("warmup_steps"), "warmup_steps"), s.Number("r"), s.Number("weight_lr_power"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["schedule_free_sgd(lr=0.5, warmup_steps=3, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "schedule_free_sgd(lr=0.5)";
    public override ConvergenceCheck Quadratic => new("schedule_free_sgd(lr=0.05)", 3000, 1e-4);
    public override ConvergenceCheck Rosenbrock => new("schedule_free_sgd(lr=0.002)", 40000, 3e-2);
}
