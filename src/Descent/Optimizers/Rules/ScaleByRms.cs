using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// RMSprop scaling: a = alpha a + (1 - alpha) u²; centered: g = alpha g + (1 - alpha) u and the denominator uses a - g²;
/// update = u / (sqrt(.) + eps). States <c>square_avg</c>, <c>grad_avg</c> (centered).
/// </summary>
/// <remarks>Tieleman and Hinton, Lecture 6.5, 2012; centered form: Graves, "Generating Sequences With Recurrent Neural Networks", 2013.
/// Epsilon outside the root as PyTorch (Keras/TF adds it inside).</remarks>
public sealed class ScaleByRms<T>(bool centered) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Centered RMSprop: subtract the squared gradient average from the second moment (PyTorch <c>centered</c>).</summary>
    public bool Centered { get; } = centered;
    /// <inheritdoc />
    public string Name => "scale_by_rms";

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("square_avg", T.Zero);
        if (Centered) state.AddBuffer("grad_avg", T.Zero);
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var a = state.Buffer("square_avg").AsSpan();
        var ga = Centered ? state.Buffer("grad_avg").AsSpan() : default;
        double alpha = context[HyperparameterKey.Alpha];
        T al = T.CreateTruncating(alpha), c = T.CreateTruncating(1 - alpha);
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            a[i] = al * a[i] + c * (g * g);
            T average;
            if (Centered)
            {
                ga[i] = al * ga[i] + c * g;
                average = T.Sqrt(a[i] - ga[i] * ga[i]) + eps;
            }
            else
            {
                average = T.Sqrt(a[i]) + eps;
            }
            update[i] = g / average;
        }
    }
}
