using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// A trainable buffer: its values, the buffer the training loop writes its gradient into, and its shape
/// (row-major; the product of the dimensions must equal the length). Arrays convert to <see cref="Memory{T}"/>.
/// </summary>
public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private Memory<T> _gradient;

    /// <summary>Registers <paramref name="value"/> with its <paramref name="gradient"/> buffer (same length) and optional <paramref name="shape"/> (default: one dimension).</summary>
    public Parameter(string name, Memory<T> value, Memory<T> gradient, int[]? shape = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (gradient.Length != value.Length)
        {
            throw new ArgumentException($"Gradient length {gradient.Length} differs from the length {value.Length} of parameter '{name}'.", nameof(gradient));
        }
        shape ??= [value.Length];
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Dimensions must be >= 0; got {d}.");
            product *= d;
        }
        if (product != value.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has {product} elements but parameter '{name}' has {value.Length}.", nameof(shape));
        }
        Name = name;
        Value = value;
        _gradient = gradient;
        Shape = (int[])shape.Clone();
    }

    /// <summary>The name (unique within an optimizer), used to address state.</summary>
    public string Name { get; }

    /// <summary>The values updated in place by each step.</summary>
    public Memory<T> Value { get; }

    /// <summary>The gradient buffer read by each step; may be replaced by one of the same length.</summary>
    public Memory<T> Gradient
    {
        get => _gradient;
        set
        {
            if (value.Length != Value.Length)
            {
                throw new ArgumentException($"Gradient length {value.Length} differs from the length {Value.Length} of parameter '{Name}'.", nameof(value));
            }
            _gradient = value;
        }
    }

    /// <summary>The shape (a copy of the one given).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>
    /// A row-sparse gradient for this step, or null (the default: <see cref="Gradient"/> is used). When set, the optimizer steps
    /// this parameter lazily on the rows present (see <see cref="SparseGradient{T}"/>); its row length must divide the parameter's length.
    /// </summary>
    public SparseGradient<T>? SparseGradient
    {
        get => _sparse;
        set
        {
            if (value is not null && Length % value.RowLength != 0)
                throw new ArgumentException($"'{Name}' has {Length} values, not a whole number of rows of {value.RowLength}.", nameof(value));
            _sparse = value;
        }
    }

    private SparseGradient<T>? _sparse;

    /// <summary>Number of elements.</summary>
    public int Length => Value.Length;
}
