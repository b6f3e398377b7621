using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>Clips each element of the update to [min, max] (Optax <c>clip</c>, PyTorch <c>clip_grad_value_</c> when first in the chain). NaN stays NaN.</summary>
public sealed class ClipByValue<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _min, _max;

    /// <summary>Clips to [<paramref name="min"/>, <paramref name="max"/>]; min &lt;= max, neither NaN.</summary>
    public ClipByValue(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || min > max) throw new ArgumentOutOfRangeException(nameof(min), $"Need min <= max, neither NaN; got [{min}, {max}].");
        _min = T.CreateTruncating(min);
        _max = T.CreateTruncating(max);
    }

    /// <inheritdoc />
    public string Name => "clip";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) { }
    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        for (int i = 0; i < update.Length; i++)
        {
            T u = update[i];
            update[i] = u < _min ? _min : u > _max ? _max : u;
        }
    }
}
