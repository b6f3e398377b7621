using System.Globalization;
using Descent.Schedules;

namespace Descent.Optimizers;

/// <summary>
/// The hyperparameters an optimizer may have; each optimizer uses a subset, and each key's names and valid range are one row of
/// <see cref="Hyperparameters.All"/>. Names in text and errors are PyTorch's.
/// </summary>
/// <remarks>
/// <b>Key or constructor argument.</b> A setting is a key when it is a real coefficient of the update that may change between
/// steps or differ between parameter groups (PyTorch keeps it in <c>param_groups</c>, Optax can inject it with
/// <c>inject_hyperparams</c>): it can follow a schedule (<see cref="Optimizer{T}.SetSchedule"/>) and be overridden per group
/// (<see cref="ParameterGroup{T}.Set"/>). Per-group on/off switches that recipes set per group (<see cref="TrustRatio"/> for
/// biases and norms, <see cref="UseMuon"/> for embeddings) are keys for the same reason. Everything that decides which state
/// exists or which computation runs (amsgrad, nesterov, centered, maximize, eps placement, decay mode, Newton–Schulz steps,
/// Adafactor's factoring), step counts (warmups), and the constants of a method's own estimator (LARS trust coefficient,
/// Adafactor's eps1/eps2/clip threshold/decay rate, Prodigy's d0/d_coef/growth rate, schedule-free r and weight power,
/// AdEMAMix alpha) are constructor arguments, fixed for the optimizer's life. A key's default is the optimizer's (it differs
/// between optimizers: lr is 1e-3 for Adam, 0.01 for SGD) and lives in the optimizer's definition.
/// </remarks>
public enum HyperparameterKey
{
    /// <summary><c>lr</c>: step size, finite and &gt;= 0.</summary>
    LearningRate,
    /// <summary><c>momentum</c>: momentum factor (SGD, RMSprop), finite and &gt;= 0.</summary>
    Momentum,
    /// <summary><c>dampening</c>: SGD momentum dampening, in [0, 1].</summary>
    Dampening,
    /// <summary><c>weight_decay</c>: L2 penalty (coupled) or decoupled decay (AdamW), finite and &gt;= 0.</summary>
    WeightDecay,
    /// <summary><c>beta1</c> (PyTorch <c>betas[0]</c>, Optax <c>b1</c>): first-moment decay, in [0, 1).</summary>
    Beta1,
    /// <summary><c>beta2</c> (PyTorch <c>betas[1]</c>, Optax <c>b2</c>): second-moment decay, in [0, 1).</summary>
    Beta2,
    /// <summary><c>eps</c>: denominator term for numerical stability, finite and &gt;= 0.</summary>
    Epsilon,
    /// <summary><c>alpha</c>: RMSprop smoothing constant, in [0, 1].</summary>
    Alpha,
    /// <summary><c>rho</c>: Adadelta running-average coefficient, in [0, 1].</summary>
    Rho,
    /// <summary><c>lr_decay</c>: AdaGrad learning-rate decay, finite and &gt;= 0.</summary>
    LearningRateDecay,
    /// <summary><c>momentum_decay</c>: NAdam momentum decay (psi), finite and &gt;= 0.</summary>
    MomentumDecay,
    /// <summary><c>initial_accumulator_value</c>: AdaGrad initial sum, finite and &gt;= 0.</summary>
    InitialAccumulatorValue,
    /// <summary><c>trust_ratio</c>: 1 applies the layer-wise trust ratio of LAMB/LARS, 0 turns it off for a group (e.g. biases and norms); 0 or 1.</summary>
    TrustRatio,
    /// <summary><c>beta3</c> (AdEMAMix <c>betas[2]</c>): decay of the slow EMA, in [0, 1).</summary>
    Beta3,
    /// <summary><c>use_muon</c>: Muon's per-group switch, 1 (matrices of the group get Muon, other buffers AdamW) or 0 (the whole group gets AdamW).</summary>
    UseMuon,
    /// <summary><c>adam_lr</c>: the learning rate of Muon's auxiliary AdamW (the lr schedule's factor applies to it too), finite and &gt;= 0.</summary>
    AdamLearningRate,
}

/// <summary>The valid values of a hyperparameter key.</summary>
public enum HyperparameterRange
{
    /// <summary>Finite and &gt;= 0.</summary>
    NonNegative,
    /// <summary>[0, 1].</summary>
    Fraction,
    /// <summary>[0, 1): a decay rate that must forget.</summary>
    Decay,
    /// <summary>0 or 1: a per-group switch.</summary>
    Switch,
}

/// <summary>One row of the key table: the key, its PyTorch keyword, the C# parameter name the factories and errors use, and its range.</summary>
/// <param name="Key">The key.</param>
/// <param name="TextName">PyTorch's keyword (<c>lr</c>, <c>weight_decay</c>), used in the text form and in messages.</param>
/// <param name="ParameterName">The <see cref="Optim"/> factories' parameter name (<c>learningRate</c>), used in exceptions.</param>
/// <param name="Range">The valid values.</param>
public sealed record HyperparameterInfo(HyperparameterKey Key, string TextName, string ParameterName, HyperparameterRange Range)
{
    /// <summary>The valid range in words.</summary>
    public string RangeText => Range switch
    {
        HyperparameterRange.Decay => "[0, 1)",
        HyperparameterRange.Fraction => "[0, 1]",
        HyperparameterRange.Switch => "{0, 1}",
        _ => "[0, +inf) (finite)",
    };

    /// <summary>Whether <paramref name="value"/> is in <see cref="Range"/>.</summary>
    public bool IsValid(double value) => Range switch
    {
        HyperparameterRange.Decay => value >= 0 && value < 1,
        HyperparameterRange.Fraction => value >= 0 && value <= 1,
        HyperparameterRange.Switch => value is 0 or 1,
        _ => double.IsFinite(value) && value >= 0,
    };
}

/// <summary>
/// A hyperparameter's value at each step: a constant, a base value times a schedule factor (how learning-rate
/// schedules work in PyTorch and Optax), or an absolute schedule (e.g. a cyclic momentum or beta1).
/// </summary>
public sealed record Hyperparameter
{
    private Hyperparameter(double value, ISchedule? schedule, bool isFactor)
    {
        Value = value;
        Schedule = schedule;
        IsFactor = isFactor;
    }

    /// <summary>The constant, or the base value multiplied by the schedule's factor.</summary>
    public double Value { get; }

    /// <summary>The schedule, if any.</summary>
    public ISchedule? Schedule { get; }

    /// <summary>True: the value at step t is <see cref="Value"/> * Schedule.At(t); false with a schedule: Schedule.At(t).</summary>
    public bool IsFactor { get; }

    /// <summary>A constant value.</summary>
    public static Hyperparameter Constant(double value) => new(value, null, false);

    /// <summary><paramref name="baseValue"/> times <paramref name="factor"/>.At(step) (a learning-rate schedule).</summary>
    public static Hyperparameter Scaled(double baseValue, ISchedule factor)
        => new(baseValue, factor ?? throw new ArgumentNullException(nameof(factor)), true);

    /// <summary>The schedule's value itself at each step (e.g. momentum or beta1 following a cycle).</summary>
    public static Hyperparameter Scheduled(ISchedule schedule)
        => new(double.NaN, schedule ?? throw new ArgumentNullException(nameof(schedule)), false);

    /// <summary>A constant.</summary>
    public static implicit operator Hyperparameter(double value) => Constant(value);

    /// <summary>The value used by the step whose 0-based index is <paramref name="step"/> (the schedule convention).</summary>
    public double At(long step) => Schedule is null ? Value : IsFactor ? Value * Schedule.At(step) : Schedule.At(step);

    /// <summary>The schedule factor at <paramref name="step"/> (1 unless this is a scaled value).</summary>
    public double FactorAt(long step) => IsFactor && Schedule is not null ? Schedule.At(step) : 1.0;

    /// <inheritdoc/>
    public override string ToString() => Schedule is null
        ? Value.ToString("R", CultureInfo.InvariantCulture)
        : IsFactor ? $"{Value.ToString("R", CultureInfo.InvariantCulture)} * {Schedule}" : Schedule.ToString()!;
}

/// <summary>The table of <see cref="HyperparameterKey"/>s: names and valid range of each, in key order.</summary>
public static class Hyperparameters
{
    /// <summary>Every key's row, indexed by the key.</summary>
    public static IReadOnlyList<HyperparameterInfo> All { get; } =
    [
        new(HyperparameterKey.LearningRate, "lr", "learningRate", HyperparameterRange.NonNegative),
        new(HyperparameterKey.Momentum, "momentum", "momentum", HyperparameterRange.NonNegative),
        new(HyperparameterKey.Dampening, "dampening", "dampening", HyperparameterRange.Fraction),
        new(HyperparameterKey.WeightDecay, "weight_decay", "weightDecay", HyperparameterRange.NonNegative),
        new(HyperparameterKey.Beta1, "beta1", "beta1", HyperparameterRange.Decay),
        new(HyperparameterKey.Beta2, "beta2", "beta2", HyperparameterRange.Decay),
        new(HyperparameterKey.Epsilon, "eps", "epsilon", HyperparameterRange.NonNegative),
        new(HyperparameterKey.Alpha, "alpha", "alpha", HyperparameterRange.Fraction),
        new(HyperparameterKey.Rho, "rho", "rho", HyperparameterRange.Fraction),
        new(HyperparameterKey.LearningRateDecay, "lr_decay", "learningRateDecay", HyperparameterRange.NonNegative),
        new(HyperparameterKey.MomentumDecay, "momentum_decay", "momentumDecay", HyperparameterRange.NonNegative),
        new(HyperparameterKey.InitialAccumulatorValue, "initial_accumulator_value", "initialAccumulatorValue", HyperparameterRange.NonNegative),
        new(HyperparameterKey.TrustRatio, "trust_ratio", "trustRatio", HyperparameterRange.Switch),
        new(HyperparameterKey.Beta3, "beta3", "beta3", HyperparameterRange.Decay),
        new(HyperparameterKey.UseMuon, "use_muon", "useMuon", HyperparameterRange.Switch),
        new(HyperparameterKey.AdamLearningRate, "adam_lr", "adamLearningRate", HyperparameterRange.NonNegative),
    ];

    /// <summary>Number of keys.</summary>
    public static int Count => All.Count;

    /// <summary>The row of <paramref name="key"/>.</summary>
    public static HyperparameterInfo Info(HyperparameterKey key)
        => (uint)key < (uint)All.Count ? All[(int)key] : throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown hyperparameter key.");

    /// <summary>The PyTorch keyword for <paramref name="key"/> (<c>lr</c>, <c>weight_decay</c>, ...).</summary>
    public static string TextName(HyperparameterKey key) => Info(key).TextName;

    /// <summary>The valid range of <paramref name="key"/>, in words.</summary>
    public static string RangeText(HyperparameterKey key) => Info(key).RangeText;

    /// <summary>Whether <paramref name="value"/> is valid for <paramref name="key"/>.</summary>
    public static bool IsValid(HyperparameterKey key, double value) => Info(key).IsValid(value);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="parameterName"/> and the valid range when invalid.</summary>
    public static double Validate(HyperparameterKey key, double value, string parameterName)
    {
        if (!IsValid(key, value))
        {
            throw new ArgumentOutOfRangeException(parameterName, value,
                $"{parameterName} ({TextName(key)}) must be in {RangeText(key)}; got {value.ToString("R", CultureInfo.InvariantCulture)}.");
        }
        return value;
    }
}
