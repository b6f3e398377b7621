using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Text;

namespace Descent.Optimizers;

/// <summary>
/// The optimizers by text name with PyTorch's snake_case names and keywords, e.g. <c>sgd(lr=0.1, momentum=0.9, nesterov=true)</c>,
/// <c>adamw(lr=3e-3, weight_decay=0.01)</c>, <c>adam(betas=[0.9, 0.999])</c> or <c>adam(beta1=0.8)</c>. The first positional
/// argument is <c>lr</c>. The entries are the <see cref="OptimizerDefinition"/> subclasses of this assembly (one per optimizer file).
/// </summary>
public static class OptimizerCatalog
{
    private static readonly OptimizerDefinition[] Entries = Discover();

    /// <summary>Every entry, in catalog order.</summary>
    public static IReadOnlyList<OptimizerDefinition> All => Entries;

    /// <summary>Parses one optimizer call; unknown names or arguments, and invalid values, throw <see cref="TextFormatException"/> pointing at the text.</summary>
    public static OptimizerSpec Parse(string text)
    {
        var node = CallExpression.Parse(text);
        if (node is WordNode word) node = new CallNode(word.Value, [], word.Position); // "adam" means adam()
        if (node is not CallNode call) throw new TextFormatException(text, node.Position, "Expected one optimizer call such as adam(lr=1e-3)");
        var definition = Entries.FirstOrDefault(e => e.Name == call.Name)
            ?? throw new TextFormatException(text, call.Position, NearestNames.DidYouMean(call.Name, Entries.Select(e => e.Name)) is { Length: > 0 } near
                ? $"Unknown optimizer '{call.Name}';{near} (known: {string.Join(", ", Entries.Select(e => e.Name))})"
                : $"Unknown optimizer '{call.Name}'; known: {string.Join(", ", Entries.Select(e => e.Name))}");
        var args = new CallArguments(text, call);
        var values = new object[definition.Options.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var o = definition.Options[i];
            int position = o.Name == "lr" ? 0 : -1;
            values[i] = o.Kind switch
            {
                OptionKind.Number => args.Number(o.Name, (double)o.Default, position),
                OptionKind.Boolean => args.Boolean(o.Name, (bool)o.Default),
                OptionKind.Pair => ParsePair(args, o),
                _ => ParseWord(args, o),
            };
        }
        args.EnsureAllUsed(definition.Options.SelectMany(o => o.Parts is null ? [o.Name] : o.Parts.Prepend(o.Name)));
        var spec = new OptimizerSpec(definition, values);
        try
        {
            // Validate by building it: in double, unless the state is compact (bfloat16/int8 state needs float parameters).
            bool compact = definition.Options.Any(o => o.Name == OptionDefinition.State.Name) && spec.Word(OptionDefinition.State.Name) != "float32";
            if (compact) spec.Create<float>();
            else spec.Create<double>();
        }
        catch (ArgumentException ex)
        {
            var (position, message) = Locate(args, definition, call, ex);
            throw new TextFormatException(text, position, message);
        }
        return spec;
    }

    // Points a value error at the offending value in the text (the caret goes under it) and speaks the text's names:
    // "learningRate (lr) must be ..." becomes "lr must be ...". Falls back to the call itself.
    private static (int Position, string Message) Locate(CallArguments args, OptimizerDefinition definition, CallNode call, ArgumentException ex)
    {
        string message = ex.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0];
        var named = System.Text.RegularExpressions.Regex.Match(message, @"^(\w+) \((\w+)\) ");
        if (named.Success) message = named.Groups[2].Value + " " + message[named.Length..];
        string? parameter = ex.ParamName;
        string? textName = named.Success ? named.Groups[2].Value : parameter;
        foreach (var o in definition.Options)
        {
            int part = o.Parts is null ? -1 : o.Parts.ToList().FindIndex(p => p == textName || p == parameter);
            if (o.Name != textName && o.Name != parameter && part < 0) continue;
            if (part >= 0 && args.Find(o.Parts![part]) is { } single) return (single.Position, message);
            if (args.Find(o.Name) is { } node)
            {
                if (part >= 0 && node is ListNode list && part < list.Items.Count) return (list.Items[part].Position, message);
                return (node.Position, message);
            }
        }
        return (call.Position, message);
    }

    /// <summary>Parses <paramref name="text"/> and creates the optimizer.</summary>
    public static Optimizer<T> Create<T>(string text) where T : unmanaged, IFloatingPointIeee754<T> => Parse(text).Create<T>();

    private static double[] ParsePair(CallArguments args, OptionDefinition o)
    {
        var pair = (double[])((double[])o.Default).Clone();
        if (args.Find(o.Name) is { } node)
        {
            var list = node is ListNode l ? l : throw args.Error(node.Position, $"Argument '{o.Name}' must be a list of two numbers");
            if (list.Items.Count != 2) throw args.Error(node.Position, $"Argument '{o.Name}' must have two numbers");
            for (int k = 0; k < 2; k++)
                pair[k] = list.Items[k] is NumberNode n ? n.Value : throw args.Error(list.Items[k].Position, $"Argument '{o.Name}' must be a list of two numbers");
        }
        for (int k = 0; k < 2; k++)
            if (args.OptionalNumber(o.Parts![k]) is { } v) pair[k] = v;
        return pair;
    }

    private static string ParseWord(CallArguments args, OptionDefinition o)
    {
        var node = args.Find(o.Name);
        if (node is null) return (string)o.Default;
        string w = node switch { WordNode wn => wn.Value, StringNode s => s.Value, _ => "" };
        if (!o.Words!.Contains(w)) throw args.Error(node.Position, $"Argument '{o.Name}' must be one of {string.Join(", ", o.Words!)}");
        return w;
    }

    private static OptimizerDefinition[] Discover()
    {
        var entries = typeof(OptimizerDefinition).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(OptimizerDefinition)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (OptimizerDefinition)Activator.CreateInstance(t)!)
            .OrderBy(d => d.Position).ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
        var duplicate = entries.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Two optimizer definitions are named '{duplicate.Key}'.");
        return entries;
    }

    /// <summary>The <c>eps_placement</c> word as an <see cref="EpsilonPlacement"/>.</summary>
    /// <summary>Sets the optimizer's <see cref="Optimizer{T}.StatePrecision"/> from the spec's <c>state</c> option.</summary>
    internal static Optimizer<T> WithState<T>(this Optimizer<T> optimizer, OptimizerSpec s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string word = s.Word("state");
        if (word == "bfloat16_stochastic")
        {
            optimizer.StatePrecision = StatePrecision.BFloat16;
            optimizer.StochasticRoundingSeed = 0;
            return optimizer;
        }
        optimizer.StatePrecision = StatePrecisions.Parse(word);
        return optimizer;
    }

    internal static EpsilonPlacement PlacementOf(OptimizerSpec s) => s.Word("eps_placement") switch
    {
        "inside" => EpsilonPlacement.InsideSqrt,
        "hat" => EpsilonPlacement.EpsilonHat,
        _ => EpsilonPlacement.OutsideSqrt,
    };

    /// <summary>A number option that must be a whole number (steps), as a <see cref="long"/>.</summary>
    internal static long WholeNumber(double value, string name) => value == Math.Floor(value) && Math.Abs(value) < 1e15
        ? (long)value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a whole number.");
}
