using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Rprop's direction and step (PyTorch <c>Rprop</c>, the Rprop- variant without weight backtracking): per element, a step
/// size grows by <c>etaplus</c> while the gradient keeps its sign, shrinks by <c>etaminus</c> when it flips, and is clamped
/// to [<c>step_size_min</c>, <c>step_size_max</c>]; after a flip the gradient is taken as 0 (no move, and the next step
/// keeps the step size). update = -sign(g') step_size. States <c>prev</c> (g') and <c>step_size</c> (initialised to lr at
/// the first step, as PyTorch: later changes of lr do not affect Rprop).
/// </summary>
/// <remarks>
/// Riedmiller and Braun, "A direct adaptive method for faster backpropagation learning: the RPROP algorithm", ICNN 1993;
/// PyTorch 1.13 <c>_single_tensor_rprop</c>. Where g·prev is NaN the factor is NaN (the step size becomes NaN, as PyTorch)
/// and the gradient is kept as NaN (PyTorch keeps g; the parameter is NaN either way).
/// </remarks>
public sealed class ScaleByRprop<T>(double etaMinus, double etaPlus, double stepSizeMin, double stepSizeMax) : IUpdateRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The previous (masked) gradient, PyTorch's state key.</summary>
    public const string PreviousName = "prev";

    /// <summary>The per-element step size, PyTorch's state key.</summary>
    public const string StepSizeName = "step_size";

    /// <inheritdoc/>
    public string Name => "scale_by_rprop";

    /// <summary>η⁻.</summary>
    public T EtaMinus { get; } = T.CreateTruncating(etaMinus);

    /// <summary>η⁺.</summary>
    public T EtaPlus { get; } = T.CreateTruncating(etaPlus);

    /// <summary>Smallest step size.</summary>
    public T StepSizeMin { get; } = T.CreateTruncating(stepSizeMin);

    /// <summary>Largest step size.</summary>
    public T StepSizeMax { get; } = T.CreateTruncating(stepSizeMax);

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer(PreviousName, T.Zero);
        state.AddBuffer(StepSizeName, T.CreateTruncating(context.LearningRate));
    }

    /// <summary>selector &gt; 0: positive; &lt; 0: negative; = 0: zero; NaN: the selector itself (the kernels' SelectBySign).</summary>
    public static T SelectBySign(T selector, T positive, T negative, T zero)
        => selector > T.Zero ? positive : selector < T.Zero ? negative : selector == T.Zero ? zero : selector;

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var prev = state.Buffer(PreviousName).AsSpan();
        var stepSize = state.Buffer(StepSizeName).AsSpan();
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            T product = g * prev[i];
            T factor = SelectBySign(product, EtaPlus, EtaMinus, T.One);
            T step = T.Min(T.Max(stepSize[i] * factor, StepSizeMin), StepSizeMax);
            T kept = SelectBySign(product, g, T.Zero, g);
            stepSize[i] = step;
            prev[i] = kept;
            update[i] = -(ScaleByLion<T>.Sign(kept) * step);
        }
    }
}
