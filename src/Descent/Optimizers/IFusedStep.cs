using System.Numerics;

namespace Descent.Optimizers;

/// <summary>A fused single-pass implementation of a whole chain (parameters and state read and written once).</summary>
public interface IFusedStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Applies the step to <paramref name="parameter"/>; must equal the composed chain bit for bit.</summary>
    void Apply(Parameter<T> parameter, ParameterState<T> state, ReadOnlyMemory<T> gradient, in StepContext context);
}
