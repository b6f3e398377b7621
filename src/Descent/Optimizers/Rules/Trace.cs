using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Momentum trace: b = mu b + (1 - dampening) u; the update becomes b, or u + mu b with Nesterov. State <c>momentum_buffer</c>.
/// With <c>initializeWithFirstUpdate</c> (PyTorch SGD) the first step sets b = u; otherwise b starts at zero (RMSprop).
/// </summary>
/// <remarks>Polyak heavy ball (1964); Nesterov momentum in the form of Sutskever et al., ICML 2013, as PyTorch SGD.
/// Optax <c>trace</c> has no dampening and starts from zero.</remarks>
public sealed class Trace<T>(bool nesterov, bool initializeWithFirstUpdate, bool useDampening = true) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Name of the state buffer holding the momentum (PyTorch's <c>momentum_buffer</c>).</summary>
    public const string BufferName = "momentum_buffer";
    /// <inheritdoc />
    public string Name => "trace";
    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context) => state.AddBuffer(BufferName, T.Zero);

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        double mu = context[HyperparameterKey.Momentum];
        if (mu == 0 && initializeWithFirstUpdate) return; // plain SGD: no momentum (PyTorch keeps no buffer)
        var b = state.Buffer(BufferName).AsSpan();
        T m = T.CreateTruncating(mu);
        T keep = useDampening ? T.CreateTruncating(1 - context[HyperparameterKey.Dampening]) : T.One;
        bool first = initializeWithFirstUpdate && context.Step == 1;
        for (int i = 0; i < update.Length; i++)
        {
            T u = update[i];
            b[i] = first ? u : b[i] * m + keep * u;
            update[i] = nesterov ? u + m * b[i] : b[i];
        }
    }
}
