using System.Numerics;

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

/// <summary>One keyword of an optimizer's text form: PyTorch's name, type, default, and for pairs the names of the parts.</summary>
public sealed record OptionDefinition(string Name, OptionKind Kind, object Default, IReadOnlyList<string>? Parts = null, IReadOnlyList<string>? Words = null)
{
    /// <summary>A number option.</summary>
    public static OptionDefinition Number(string name, double @default) => new(name, OptionKind.Number, @default);
    /// <summary>A boolean option.</summary>
    public static OptionDefinition Boolean(string name, bool @default) => new(name, OptionKind.Boolean, @default);
    /// <summary>The Adam <c>betas</c> pair (also <c>beta1=</c>, <c>beta2=</c>).</summary>
    public static OptionDefinition Betas(double beta1 = 0.9, double beta2 = 0.999) => new("betas", OptionKind.Pair, new[] { beta1, beta2 }, ["beta1", "beta2"]);
    /// <summary>A word option.</summary>
    public static OptionDefinition Word(string name, string @default, params string[] words) => new(name, OptionKind.Word, @default, null, words);

    /// <summary><c>lr</c> (the first positional argument of every optimizer's text form).</summary>
    public static OptionDefinition LearningRate(double @default) => Number("lr", @default);

    /// <summary><c>weight_decay</c>.</summary>
    public static OptionDefinition WeightDecay(double @default = 0) => Number("weight_decay", @default);

    /// <summary><c>eps</c>.</summary>
    public static OptionDefinition Epsilon(double @default) => Number("eps", @default);

    /// <summary><c>maximize</c>, default false.</summary>
    public static OptionDefinition Maximize { get; } = Boolean("maximize", false);

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
}
