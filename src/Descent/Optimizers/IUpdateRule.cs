using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// One composable transformation of the update. The chain starts from the gradient; every rule rewrites the update
/// in place; the optimizer finally adds the update to the parameter (so a learning-rate rule multiplies by -lr).
/// Rules keep all their state in <see cref="ParameterState{T}"/> and allocate nothing in <see cref="Apply"/>.
/// </summary>
public interface IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short name (for diagnostics).</summary>
    string Name { get; }

    /// <summary>Creates this rule's state buffers for one parameter; <paramref name="context"/> holds the hyperparameters of step 0.</summary>
    void Initialize(ParameterState<T> state, in StepContext context);

    /// <summary>Transforms <paramref name="update"/> for <paramref name="parameter"/> (its values before this step).</summary>
    void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context);
}
