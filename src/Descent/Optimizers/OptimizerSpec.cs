using System.Numerics;
using System.Text;
using Descent.Text;

namespace Descent.Optimizers;

/// <summary>
/// A fully resolved text description of an optimizer: its catalog name and every option's value (defaults filled in).
/// <see cref="ToString"/> writes text that <see cref="OptimizerCatalog.Parse"/> reads back to an equal spec.
/// </summary>
public sealed class OptimizerSpec : IEquatable<OptimizerSpec>
{
    internal OptimizerSpec(OptimizerDefinition definition, object[] values)
    {
        Definition = definition;
        Values = values;
    }

    /// <summary>The catalog entry.</summary>
    public OptimizerDefinition Definition { get; }

    /// <summary>The catalog name.</summary>
    public string Name => Definition.Name;

    internal object[] Values { get; }

    /// <summary>The value of a number option.</summary>
    public double Number(string name) => (double)Value(name);
    /// <summary>The value of a boolean option.</summary>
    public bool Boolean(string name) => (bool)Value(name);
    /// <summary>The value of a pair option.</summary>
    public (double First, double Second) Pair(string name) { var p = (double[])Value(name); return (p[0], p[1]); }
    /// <summary>The value of a word option.</summary>
    public string Word(string name) => (string)Value(name);

    private object Value(string name)
    {
        for (int i = 0; i < Definition.Options.Count; i++)
            if (Definition.Options[i].Name == name) return Values[i];
        throw new KeyNotFoundException($"{Name} has no option '{name}'.");
    }

    /// <summary>Creates the optimizer.</summary>
    public Optimizer<T> Create<T>() where T : unmanaged, IFloatingPointIeee754<T> => Definition.Create<T>(this);

    /// <summary>The text form, every option written out: <c>adamw(lr=0.003, betas=[0.9, 0.999], ...)</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Name).Append('(');
        for (int i = 0; i < Values.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Definition.Options[i].Name).Append('=').Append(Values[i] switch
            {
                double d => CallExpression.FormatNumber(d),
                bool b => CallExpression.FormatBoolean(b),
                double[] p => $"[{CallExpression.FormatNumber(p[0])}, {CallExpression.FormatNumber(p[1])}]",
                var w => w.ToString(),
            });
        }
        return sb.Append(')').ToString();
    }

    /// <inheritdoc/>
    public bool Equals(OptimizerSpec? other)
    {
        if (other is null || other.Name != Name || other.Values.Length != Values.Length) return false;
        for (int i = 0; i < Values.Length; i++)
        {
            bool same = (Values[i], other.Values[i]) switch
            {
                (double a, double b) => a.Equals(b),
                (double[] a, double[] b) => a.AsSpan().SequenceEqual(b),
                var (a, b) => Equals(a, b),
            };
            if (!same) return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OptimizerSpec);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
