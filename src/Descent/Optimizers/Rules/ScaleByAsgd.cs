using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// Averaged SGD (PyTorch <c>ASGD</c>): p ← p (1 - λ η_t) - η_t g with η_1 = lr, η_{t+1} = lr / (1 + λ lr t)^α, and the
/// Polyak-Ruppert average <c>ax</c> of the iterates from step t0 on: ax ← ax + μ_t (p - ax), μ_t = 1 / max(1, t - t0)
/// (ax = p while μ = 1). Must be the last rule of its chain (it computes the new parameter to average it). State: buffer
/// <c>ax</c> (readable: the averaged parameters, <see cref="Optim.AsgdAverage{T}"/>), scalars <c>eta</c> and <c>mu</c>.
/// </summary>
/// <remarks>
/// Polyak and Juditsky, "Acceleration of stochastic approximation by averaging", SIAM J. Control Optim. 1992; Bottou,
/// "Stochastic Gradient Descent Tricks" 2012 (the η schedule); PyTorch 1.13 <c>_single_tensor_asgd</c>. The update is
/// written as p + (-λη p - η g): PyTorch computes p (1 - λη) - η g, which can differ in the last bit.
/// </remarks>
public sealed class ScaleByAsgd<T>(double lambd, double alpha, double t0) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The averaged parameters' buffer (PyTorch's state key).</summary>
    public const string AverageName = "ax";

    /// <summary>λ, the decay term.</summary>
    public double Lambd { get; } = lambd;

    /// <summary>α, the power of the η decay.</summary>
    public double Alpha { get; } = alpha;

    /// <summary>t0, the step at which averaging starts.</summary>
    public double T0 { get; } = t0;

    /// <inheritdoc/>
    public string Name => "scale_by_asgd";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer(AverageName, T.Zero);
        state.AddScalar("eta", context.LearningRate);
        state.AddScalar("mu", 1.0);
    }

    /// <summary>The factors of this step from the state scalars: -λη (on p), -η (on g), μ; then advances η and μ.</summary>
    internal (T Decay, T Rate, T Mu, bool Copy) Advance(ParameterState<T> state, in StepContext context)
    {
        var eta = state.Scalar("eta");
        var mu = state.Scalar("mu");
        double e = eta.Value, m = mu.Value;
        long step = context.Step;
        double lr = context.LearningRate;
        eta.Value = lr / Math.Pow(1 + Lambd * lr * step, Alpha);
        mu.Value = 1 / Math.Max(1, step - T0);
        return (T.CreateTruncating(-(Lambd * e)), T.CreateTruncating(-e), T.CreateTruncating(m), m == 1);
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var (decay, rate, mu, copy) = Advance(state, context);
        var ax = state.Buffer(AverageName).AsSpan();
        for (int i = 0; i < update.Length; i++)
        {
            T p = parameter[i];
            T u = decay * p + rate * update[i];
            T next = p + u;
            ax[i] = copy ? next : ax[i] + (next - ax[i]) * mu;
            update[i] = u;
        }
    }
}
