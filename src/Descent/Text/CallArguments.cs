namespace Descent.Text;

/// <summary>
/// Binds the arguments of a parsed <see cref="CallNode"/> to named parameters, for factories that build
/// schedules and optimizers from text. Every argument must be consumed; leftovers are reported with their position.
/// </summary>
public sealed class CallArguments
{
    private readonly string _text;
    private readonly CallNode _call;
    private readonly bool[] _used;

    /// <summary>Wraps <paramref name="call"/>, parsed from <paramref name="text"/>.</summary>
    public CallArguments(string text, CallNode call)
    {
        _text = text;
        _call = call;
        _used = new bool[call.Arguments.Count];
    }

    /// <summary>The call's name.</summary>
    public string Name => _call.Name;

    /// <summary>The call node.</summary>
    public CallNode Call => _call;

    /// <summary>Finds the argument called <paramref name="name"/> (or one of <paramref name="aliases"/>), or the positional argument at <paramref name="position"/> (-1: named only).</summary>
    public TextNode? Find(string name, int position = -1, params string[] aliases)
    {
        for (int i = 0; i < _call.Arguments.Count; i++)
        {
            var a = _call.Arguments[i];
            if (a.Name is not null && (a.Name == name || Array.IndexOf(aliases, a.Name) >= 0))
            {
                _used[i] = true;
                return a.Value;
            }
        }
        if (position >= 0)
        {
            int seen = 0;
            for (int i = 0; i < _call.Arguments.Count; i++)
            {
                if (_call.Arguments[i].Name is not null) continue;
                if (seen++ == position)
                {
                    _used[i] = true;
                    return _call.Arguments[i].Value;
                }
            }
        }
        return null;
    }

    /// <summary>A number argument, or <paramref name="defaultValue"/> when absent.</summary>
    public double Number(string name, double defaultValue, int position = -1, params string[] aliases)
        => Find(name, position, aliases) is { } node ? AsNumber(node, name) : defaultValue;

    /// <summary>A number argument that must be present.</summary>
    public double RequiredNumber(string name, int position = -1, params string[] aliases)
        => Find(name, position, aliases) is { } node ? AsNumber(node, name) : throw Missing(name);

    /// <summary>An optional number argument (null when absent).</summary>
    public double? OptionalNumber(string name, int position = -1, params string[] aliases)
        => Find(name, position, aliases) is { } node ? AsNumber(node, name) : null;

    /// <summary>A whole-number argument, or <paramref name="defaultValue"/> when absent.</summary>
    public long Integer(string name, long defaultValue, int position = -1, params string[] aliases)
        => Find(name, position, aliases) is { } node ? AsInteger(node, name) : defaultValue;

    /// <summary>A whole-number argument that must be present.</summary>
    public long RequiredInteger(string name, int position = -1, params string[] aliases)
        => Find(name, position, aliases) is { } node ? AsInteger(node, name) : throw Missing(name);

    /// <summary>An optional whole-number argument (null when absent).</summary>
    public long? OptionalInteger(string name, int position = -1, params string[] aliases)
        => Find(name, position, aliases) is { } node ? AsInteger(node, name) : null;

    /// <summary>A boolean argument, or <paramref name="defaultValue"/> when absent.</summary>
    public bool Boolean(string name, bool defaultValue, int position = -1, params string[] aliases)
        => Find(name, position, aliases) switch
        {
            null => defaultValue,
            BooleanNode b => b.Value,
            var other => throw Error(other.Position, $"Argument '{name}' must be true or false"),
        };

    /// <summary>A word or string argument (e.g. <c>mode=min</c>), or <paramref name="defaultValue"/> when absent.</summary>
    public string Word(string name, string defaultValue, int position = -1, params string[] aliases)
        => Find(name, position, aliases) switch
        {
            null => defaultValue,
            WordNode w => w.Value,
            StringNode s => s.Value,
            var other => throw Error(other.Position, $"Argument '{name}' must be a word"),
        };

    /// <summary>A list of numbers (a single number counts as a list of one), or null when absent.</summary>
    public double[]? NumberList(string name, int position = -1, params string[] aliases)
        => Find(name, position, aliases) switch
        {
            null => null,
            ListNode list => list.Items.Select(i => AsNumber(i, name)).ToArray(),
            var single => [AsNumber(single, name)],
        };

    /// <summary>Throws if any argument was not consumed (an unknown or duplicate argument).</summary>
    public void EnsureAllUsed() => EnsureAllUsed([]);

    /// <summary>Throws if any argument was not consumed; an unknown name gets the nearest of <paramref name="known"/> suggested.</summary>
    public void EnsureAllUsed(IEnumerable<string> known)
    {
        for (int i = 0; i < _used.Length; i++)
        {
            if (_used[i]) continue;
            var a = _call.Arguments[i];
            throw Error(a.Position, a.Name is null
                ? $"Too many positional arguments for {_call.Name}(...)"
                : $"Unknown argument '{a.Name}' for {_call.Name}(...);{NearestNames.DidYouMean(a.Name, known)}".TrimEnd(';'));
        }
    }

    /// <summary>An exception pointing at <paramref name="position"/> in the original text.</summary>
    public TextFormatException Error(int position, string problem) => new(_text, position, problem);

    private TextFormatException Missing(string name) => Error(_call.Position, $"{_call.Name}(...) needs the argument '{name}'");

    private double AsNumber(TextNode node, string name) => node is NumberNode n
        ? n.Value
        : throw Error(node.Position, $"Argument '{name}' must be a number");

    private long AsInteger(TextNode node, string name)
    {
        double value = AsNumber(node, name);
        if (value != Math.Floor(value) || double.IsInfinity(value) || Math.Abs(value) > 9.0e15)
        {
            throw Error(node.Position, $"Argument '{name}' must be a whole number, got {CallExpression.FormatNumber(value)}");
        }
        return (long)value;
    }
}
