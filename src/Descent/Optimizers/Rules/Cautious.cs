using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>How <see cref="Cautious{T}"/> rescales the kept components of one parameter buffer of n elements.</summary>
public enum CautiousNormalization
{
    /// <summary>Divide by max(kept / n, 1e-3): the paper's one-line listing (mean of the mask plus a floor) and the current official code (as timm).</summary>
    ClampedMean,
    /// <summary>Multiply by n / (kept + 1): the first release of the official code (C-Optim, November 2024).</summary>
    CountPlusOne,
}

/// <summary>
/// Cautious masking of an inner rule: with g the update entering the rule (the gradient, when first in the chain) and
/// u the inner rule's output, components where u g &lt;= 0 are set to 0 and the kept ones rescaled per parameter buffer
/// (<see cref="CautiousNormalization"/>). Keeps the inner rule's state and adds none.
/// </summary>
/// <remarks>Liang, Chen, Liu and Liu, "Cautious Optimizers: Improving Training with One Line of Code", arXiv:2411.16085
/// (2024), Algorithm 1: phi = I(u ∘ g &gt; 0), u = u ∘ phi / (mean(phi) + eps). The official code (github.com/kyleliang919/C-Optim)
/// first used n / (sum(phi) + 1), then 1 / max(mean(phi), 1e-3); both are offered, the latter by default. The copy of the
/// incoming update uses a scratch buffer sized when parameters are registered, so a step allocates nothing.</remarks>
public sealed class Cautious<T>(IUpdateRule<T> inner, CautiousNormalization normalization = CautiousNormalization.ClampedMean) : IUpdateRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The floor of mean(phi) for <see cref="CautiousNormalization.ClampedMean"/>.</summary>
    public const double MeanFloor = 1e-3;

    private T[] _incoming = [];

    /// <summary>The masked rule.</summary>
    public IUpdateRule<T> Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The rescaling of the kept components.</summary>
    public CautiousNormalization Normalization { get; } = Enum.IsDefined(normalization) ? normalization : throw new ArgumentOutOfRangeException(nameof(normalization));

    /// <inheritdoc />
    public string Name => "cautious(" + Inner.Name + ")";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        Inner.Initialize(state, context);
        if (state.Length > _incoming.Length) _incoming = new T[state.Length];
    }

    /// <summary>The factor applied to the kept components of a buffer of <paramref name="length"/> elements, <paramref name="kept"/> of them kept.</summary>
    public static double Scale(CautiousNormalization normalization, int kept, int length) => normalization == CautiousNormalization.CountPlusOne
        ? length / (kept + 1.0)
        : 1.0 / Math.Max((double)kept / length, MeanFloor);

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var g = _incoming.AsSpan(0, update.Length);
        update.CopyTo(g);
        Inner.Apply(update, parameter, state, context);
        if (update.Length == 0) return;
        int kept = 0;
        for (int i = 0; i < update.Length; i++)
        {
            if (update[i] * g[i] > T.Zero) kept++;
        }
        T scale = T.CreateTruncating(Scale(Normalization, kept, update.Length));
        for (int i = 0; i < update.Length; i++)
        {
            update[i] = update[i] * g[i] > T.Zero ? update[i] * scale : T.Zero;
        }
    }
}
