using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Lion direction: c = beta1 m + (1 - beta1) u; update = sign(c); then m = beta2 m + (1 - beta2) u. State <c>exp_avg</c>.
/// sign(0) = 0 and NaN stays NaN (as <c>torch.sign</c>).
/// </summary>
/// <remarks>Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023, Algorithm 2 (the interpolation uses
/// beta1, the momentum update beta2). Optax <c>scale_by_lion</c>.</remarks>
public sealed class ScaleByLion<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The momentum buffer's name (the name used by PyTorch ports such as lion-pytorch).</summary>
    public const string BufferName = "exp_avg";

    /// <inheritdoc />
    public string Name => "scale_by_lion";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) => state.AddBuffer(BufferName, T.Zero);

    /// <summary>sign(x): +1, -1, or x itself for ±0 and NaN.</summary>
    public static T Sign(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer(BufferName).AsSpan();
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), c2 = T.CreateTruncating(1 - beta2);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            T c = b1 * m[i] + c1 * g;
            m[i] = b2 * m[i] + c2 * g;
            update[i] = Sign(c);
        }
    }
}
