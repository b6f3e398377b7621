using System.Globalization;
using Descent.Text;

namespace Descent.Optimizers;

/// <summary>The type of a text option.</summary>
public enum OptionKind
{
    /// <summary>A number (<c>lr=0.1</c>).</summary>
    Number,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>Two numbers (<c>betas=[0.9, 0.999]</c>); each part can also be given alone through the aliases (<c>beta1=0.9</c>).</summary>
    Pair,
    /// <summary>A word from a fixed list (<c>eps_placement=hat</c>).</summary>
    Word,
}

/// <summary>
/// One option of an optimizer, declared once in its definition: the text keyword, type, default, for pairs the names of the
/// parts, for words the allowed words, for numbers the valid range (<see cref="Range"/>), and the names PyTorch and Optax
/// give it (<see cref="PyTorchName"/>, <see cref="OptaxName"/>). The factory validates the argument against this range
/// (keys: the range of their row in <see cref="Hyperparameters.All"/>, which a key option takes unless it narrows it).
/// </summary>
/// <remarks>Which options are schedulable keys and which are constructor arguments: see <see cref="HyperparameterKey"/>.</remarks>
public sealed record OptionDefinition(string Name, OptionKind Kind, object Default, IReadOnlyList<string>? Parts = null, IReadOnlyList<string>? Words = null)
{
    /// <summary>
    /// The schedulable key this number sets (<see cref="Optimizer{T}.SetSchedule"/>, <see cref="ParameterGroup{T}.Set"/>), or null
    /// for a constructor argument (and for pairs, whose parts name their keys: <c>betas</c> sets <c>beta1</c> and <c>beta2</c>).
    /// </summary>
    public HyperparameterKey? Key { get; init; }

    /// <summary>Whether the option, or every part of a pair, is a schedulable key rather than a constructor argument.</summary>
    public bool IsKey => Key is not null || (Parts is { Count: > 0 } parts && parts.All(p => Hyperparameters.All.Any(k => k.TextName == p)));

    /// <summary>The valid values of a number, or of each part of a pair; null for booleans and words.</summary>
    public ValueRange? Range { get; init; }

    /// <summary>
    /// The keyword of PyTorch's implementation (<c>torch.optim</c>, or the PyTorch reference code the factory's remarks cite),
    /// or null where PyTorch's has no such argument.
    /// </summary>
    public string? PyTorchName { get; init; }

    /// <summary>The argument name of Optax's function for this optimizer, or null where Optax has no such argument (or no such optimizer).</summary>
    public string? OptaxName { get; init; }

    /// <summary>A number option.</summary>
    public static OptionDefinition Number(string name, double @default, ValueRange range, string? pyTorchName, string? optaxName)
        => new(name, OptionKind.Number, @default) { Range = range, PyTorchName = pyTorchName, OptaxName = optaxName };

    /// <summary>A number option that is a schedulable key: text name and range from its row of <see cref="Hyperparameters.All"/>.</summary>
    public static OptionDefinition ForKey(HyperparameterKey key, double @default, string? pyTorchName, string? optaxName)
    {
        var row = Hyperparameters.Info(key);
        return Number(row.TextName, @default, row.Range, pyTorchName, optaxName) with { Key = key };
    }

    /// <summary>A boolean option.</summary>
    public static OptionDefinition Boolean(string name, bool @default, string? pyTorchName, string? optaxName)
        => new(name, OptionKind.Boolean, @default) { PyTorchName = pyTorchName, OptaxName = optaxName };

    /// <summary>The Adam <c>betas</c> pair (also <c>beta1=</c>, <c>beta2=</c>): each in [0, 1); PyTorch <c>betas</c>, Optax <c>b1</c>, <c>b2</c>.</summary>
    public static OptionDefinition Betas(double beta1 = 0.9, double beta2 = 0.999)
        => new("betas", OptionKind.Pair, new[] { beta1, beta2 }, ["beta1", "beta2"])
        {
            Range = Hyperparameters.Info(HyperparameterKey.Beta1).Range, PyTorchName = "betas", OptaxName = "b1, b2",
        };

    /// <summary>A word option (no PyTorch or Optax name unless given with <see cref="Names"/>).</summary>
    public static OptionDefinition Word(string name, string @default, params string[] words) => new(name, OptionKind.Word, @default, null, words);

    /// <summary><c>lr</c> (the first positional argument of every optimizer's text form); PyTorch <c>lr</c>, Optax <c>learning_rate</c>.</summary>
    public static OptionDefinition LearningRate(double @default) => ForKey(HyperparameterKey.LearningRate, @default, "lr", "learning_rate");

    /// <summary><c>weight_decay</c>; PyTorch and Optax <c>weight_decay</c>.</summary>
    public static OptionDefinition WeightDecay(double @default = 0) => ForKey(HyperparameterKey.WeightDecay, @default, "weight_decay", "weight_decay");

    /// <summary><c>eps</c>; PyTorch and Optax <c>eps</c>.</summary>
    public static OptionDefinition Epsilon(double @default) => ForKey(HyperparameterKey.Epsilon, @default, "eps", "eps");

    /// <summary><c>maximize</c>, default false; PyTorch <c>maximize</c> (Optax has none: it negates the loss).</summary>
    public static OptionDefinition Maximize { get; } = Boolean("maximize", false, "maximize", null);

    /// <summary><c>eps_placement</c>: <c>outside</c> (PyTorch, default), <c>inside</c> (Optax <c>eps_root</c>) or <c>hat</c> (the paper's epsilon-hat).</summary>
    public static OptionDefinition EpsilonPlacement { get; } = Word("eps_placement", "outside", "outside", "inside", "hat");

    /// <summary>
    /// <c>state</c>: the precision of the moment buffers (<see cref="Optimizers.StatePrecision"/>): <c>float32</c> (default),
    /// <c>bfloat16</c> (round to nearest even), <c>bfloat16_stochastic</c> (bfloat16 rounded stochastically from the
    /// counter-based stream of seed 0, <see cref="Optimizer{T}.StochasticRoundingSeed"/>: reproducible and independent of the
    /// thread count; another seed through that property), <c>int8</c> (block-wise 8-bit); compact precisions need float
    /// parameters.
    /// </summary>
    public static OptionDefinition State { get; } = Word("state", "float32", "float32", "bfloat16", "bfloat16_stochastic", "int8");

    /// <summary>This option with other PyTorch and Optax names (null: none).</summary>
    public OptionDefinition Names(string? pyTorchName, string? optaxName) => this with { PyTorchName = pyTorchName, OptaxName = optaxName };

    /// <summary>This option with another valid range (an optimizer that accepts fewer values of a key than the key table).</summary>
    public OptionDefinition Within(ValueRange range) => this with { Range = range ?? throw new ArgumentNullException(nameof(range)) };

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="parameterName"/>, this option and its range when
    /// <paramref name="value"/> is outside <see cref="Range"/>; the factories validate their arguments with it.
    /// </summary>
    public double Validate(double value, string parameterName)
    {
        var range = Range ?? throw new InvalidOperationException($"Option '{Name}' is not a number.");
        if (!range.Contains(value))
        {
            throw new ArgumentOutOfRangeException(parameterName, value,
                $"{parameterName} ({Name}) must be in {range}; got {value.ToString("R", CultureInfo.InvariantCulture)}.");
        }
        return value;
    }

    /// <summary>The default as the text form writes it (<c>0.001</c>, <c>[0.9, 0.999]</c>, <c>true</c>, <c>outside</c>).</summary>
    public string DefaultText => Default switch
    {
        double d => CallExpression.FormatNumber(d),
        double[] p => $"[{CallExpression.FormatNumber(p[0])}, {CallExpression.FormatNumber(p[1])}]",
        bool b => CallExpression.FormatBoolean(b),
        var other => other.ToString() ?? "",
    };
}
