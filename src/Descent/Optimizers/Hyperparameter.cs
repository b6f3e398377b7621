using System.Globalization;
using Descent.Schedules;

namespace Descent.Optimizers;

/// <summary>
/// The hyperparameters an optimizer may have; each optimizer uses a subset, and each key's names and valid range are one row of
/// <see cref="Hyperparameters.All"/>. Names in text and errors are PyTorch's.
/// </summary>
/// <remarks>
/// <para><b>One rule for options: key or constructor argument.</b> A numeric setting is a <i>key</i> when it is a coefficient
/// of the update that a schedule may drive during training or a recipe may set per parameter group: PyTorch keeps it in
/// <c>param_groups</c>, Optax can inject it with <c>inject_hyperparams</c>. Keys are read from the <see cref="StepContext"/>
/// at every step, so they can follow a schedule (<see cref="Optimizer{T}.SetSchedule"/>) and be overridden per group
/// (<see cref="ParameterGroup{T}.Set"/>): lr, momentum, dampening, betas, beta3, eps, weight_decay, alpha, rho, lr_decay,
/// momentum_decay, adam_lr, and the per-group switches recipes set per group (<see cref="TrustRatio"/> for biases and norms,
/// <see cref="UseMuon"/> for embeddings).</para>
/// <para>Everything else is a <i>constructor argument</i> of the <see cref="Optim"/> factory, fixed for the optimizer's life:
/// what decides which state exists or which computation runs (amsgrad, nesterov, centered, maximize, eps placement, decay
/// mode, Newton–Schulz steps, Adafactor's factoring, state precision), initial state (<c>initial_accumulator_value</c>, read
/// once when the state is created), step counts (warmups), and the constants of a method's own estimator (LARS trust
/// coefficient, Adafactor's eps1/eps2/clip threshold/decay rate, Prodigy's d0/d_coef/growth rate, schedule-free r and weight
/// power, AdEMAMix alpha, FTRL's l1/l2/power).</para>
/// <para>Both kinds are options of the text form, declared once in the optimizer's definition
/// (<see cref="OptimizerDefinition.Options"/>) with their default, range and PyTorch/Optax names. A key's row here holds its
/// names and the range valid for every optimizer; it has no default because the default is the optimizer's (lr is 1e-3 for
/// Adam, 0.01 for SGD) and lives in that optimizer's option. A new key = an enum member + one row of the table.</para>
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
    /// <summary><c>trust_ratio</c>: 1 applies the layer-wise trust ratio of LAMB/LARS, 0 turns it off for a group (e.g. biases and norms); 0 or 1.</summary>
    TrustRatio,
    /// <summary><c>beta3</c> (AdEMAMix <c>betas[2]</c>): decay of the slow EMA, in [0, 1).</summary>
    Beta3,
    /// <summary><c>use_muon</c>: Muon's per-group switch, 1 (matrices of the group get Muon, other buffers AdamW) or 0 (the whole group gets AdamW).</summary>
    UseMuon,
    /// <summary><c>adam_lr</c>: the learning rate of Muon's auxiliary AdamW (the lr schedule's factor applies to it too), finite and &gt;= 0.</summary>
    AdamLearningRate,
}

/// <summary>One row of the key table: the key, its PyTorch keyword, the C# parameter name the factories and errors use, and its range.</summary>
/// <param name="Key">The key.</param>
/// <param name="TextName">PyTorch's keyword (<c>lr</c>, <c>weight_decay</c>), used in the text form and in messages.</param>
/// <param name="ParameterName">The <see cref="Optim"/> factories' parameter name (<c>learningRate</c>), used in exceptions.</param>
/// <param name="Range">The values valid for any optimizer (an optimizer's option may declare a narrower one, see <see cref="OptionDefinition.Range"/>).</param>
public sealed record HyperparameterInfo(HyperparameterKey Key, string TextName, string ParameterName, ValueRange Range)
{
    /// <summary>The valid range in words.</summary>
    public string RangeText => Range.ToString();

    /// <summary>Whether <paramref name="value"/> is in <see cref="Range"/>.</summary>
    public bool IsValid(double value) => Range.Contains(value);
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

/// <summary>
/// The table of <see cref="HyperparameterKey"/>s, one row a key in key order: key, text name (PyTorch's keyword), the factories'
/// parameter name, valid range. The only place these are written; defaults are per optimizer (see
/// <see cref="HyperparameterKey"/>'s remarks for which settings are keys).
/// </summary>
public static class Hyperparameters
{
    /// <summary>Every key's row, indexed by the key.</summary>
    public static IReadOnlyList<HyperparameterInfo> All { get; } =
    [
        new(HyperparameterKey.LearningRate, "lr", "learningRate", ValueRange.NonNegative),
        new(HyperparameterKey.Momentum, "momentum", "momentum", ValueRange.NonNegative),
        new(HyperparameterKey.Dampening, "dampening", "dampening", ValueRange.Fraction),
        new(HyperparameterKey.WeightDecay, "weight_decay", "weightDecay", ValueRange.NonNegative),
        new(HyperparameterKey.Beta1, "beta1", "beta1", ValueRange.Decay),
        new(HyperparameterKey.Beta2, "beta2", "beta2", ValueRange.Decay),
        new(HyperparameterKey.Epsilon, "eps", "epsilon", ValueRange.NonNegative),
        new(HyperparameterKey.Alpha, "alpha", "alpha", ValueRange.Fraction),
        new(HyperparameterKey.Rho, "rho", "rho", ValueRange.Fraction),
        new(HyperparameterKey.LearningRateDecay, "lr_decay", "learningRateDecay", ValueRange.NonNegative),
        new(HyperparameterKey.MomentumDecay, "momentum_decay", "momentumDecay", ValueRange.NonNegative),
        new(HyperparameterKey.TrustRatio, "trust_ratio", "trustRatio", ValueRange.Switch),
        new(HyperparameterKey.Beta3, "beta3", "beta3", ValueRange.Decay),
        new(HyperparameterKey.UseMuon, "use_muon", "useMuon", ValueRange.Switch),
        new(HyperparameterKey.AdamLearningRate, "adam_lr", "adamLearningRate", ValueRange.NonNegative),
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
