using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>Negates the gradient so the optimizer ascends (PyTorch <c>maximize=True</c>).</summary>
public sealed class Maximize<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "maximize";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) { }
    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        for (int i = 0; i < update.Length; i++) update[i] = -update[i];
    }
}
