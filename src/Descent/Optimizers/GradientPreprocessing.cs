using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// The stage between the caller's gradient buffers and the rule chain, in the spirit of Optax's <c>apply_if_finite</c>,
/// <c>MultiSteps</c> and <c>clip_by_global_norm</c>: the non-finite policy, gradient accumulation and clipping by global norm.
/// (It takes the optimizer's <c>List</c> itself: <c>foreach</c> over it does not allocate, as it would over an interface.)
/// <see cref="Plan"/> decides, once per <see cref="Optimizer{T}.Step"/> call and before anything is modified, whether a step is
/// applied and how gradients must be prepared; <see cref="GradientFor"/> then gives each parameter the gradient its chain
/// reads (the user's buffer itself when nothing needs preparing, so the common case copies nothing). The user's gradient
/// buffers are never modified.
/// </summary>
internal sealed class GradientPreprocessing<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The state buffer that holds the running sum of accumulated gradients.</summary>
    public const string AccumulatorName = "accumulated_gradient";

    private T[] _scratch = [];
    private double _maxGradientNorm = double.PositiveInfinity;

    /// <summary>What to do with NaN or infinite gradients.</summary>
    public NonFinitePolicy NonFinitePolicy { get; set; } = NonFinitePolicy.Propagate;

    /// <summary>Global-norm clipping threshold; +inf disables it.</summary>
    public double MaxGradientNorm
    {
        get => _maxGradientNorm;
        set
        {
            if (double.IsNaN(value) || value <= 0) throw new ArgumentOutOfRangeException("MaxGradientNorm", value, "MaxGradientNorm must be in (0, +inf]; +inf disables clipping.");
            _maxGradientNorm = value;
        }
    }

    /// <summary>Calls per applied step (1: no accumulation).</summary>
    public int AccumulationSteps { get; set; } = 1;

    /// <summary>Calls accumulated since the last applied step.</summary>
    public long MicroStep { get; set; }

    /// <summary>Calls skipped by <see cref="NonFinitePolicy.SkipStep"/>.</summary>
    public long SkippedSteps { get; set; }

    /// <summary>Makes the scratch gradient at least <paramref name="length"/> long (called when parameters are registered).</summary>
    public void Reserve(int length)
    {
        if (length > _scratch.Length) _scratch = new T[length];
    }

    /// <summary>
    /// Decides this call: throws (<see cref="NonFinitePolicy.Throw"/>), skips (<see cref="NonFinitePolicy.SkipStep"/>), adds the
    /// gradients to the accumulators and waits for more (accumulation micro-step), or applies a step with the given preparation.
    /// </summary>
    public PreparedStep<T> Plan(List<ParameterGroup<T>> groups, string kind, long stepCount)
    {
        bool zeroNonFinite = false;
        if (NonFinitePolicy != NonFinitePolicy.Propagate && !AllGradientsFinite(groups))
        {
            switch (NonFinitePolicy)
            {
                case NonFinitePolicy.Throw:
                    throw new ArithmeticException($"A gradient contains NaN or infinity ({kind} step {stepCount}); nothing was modified.");
                case NonFinitePolicy.SkipStep:
                    SkippedSteps++;
                    return default;
                default:
                    zeroNonFinite = true;
                    break;
            }
        }
        bool accumulate = AccumulationSteps > 1;
        if (accumulate)
        {
            Accumulate(groups, zeroNonFinite);
            if (++MicroStep < AccumulationSteps) return default;
            MicroStep = 0;
        }
        T clipScale = T.One;
        if (!double.IsPositiveInfinity(_maxGradientNorm))
        {
            double norm = GlobalNorm(groups, zeroNonFinite, accumulate);
            if (norm > _maxGradientNorm) clipScale = T.CreateTruncating(_maxGradientNorm / (norm + 1e-6));
        }
        return new PreparedStep<T>(true, zeroNonFinite, accumulate, clipScale);
    }

    /// <summary>The gradient the chain of <paramref name="parameter"/> reads in a step planned as <paramref name="plan"/>.</summary>
    public ReadOnlyMemory<T> GradientFor(Parameter<T> parameter, ParameterState<T> state, in PreparedStep<T> plan)
    {
        if (!plan.Prepares) return parameter.Gradient;
        var buffer = _scratch.AsMemory(0, parameter.Length);
        var b = buffer.Span;
        if (plan.Accumulated)
        {
            T accumulationScale = T.One / T.CreateTruncating((double)AccumulationSteps);
            var acc = state.Buffer(AccumulatorName).AsSpan();
            for (int j = 0; j < b.Length; j++) b[j] = acc[j] * accumulationScale;
            acc.Clear();
        }
        else
        {
            parameter.Gradient.Span.CopyTo(b);
            if (plan.ZeroNonFinite)
                for (int j = 0; j < b.Length; j++) if (!T.IsFinite(b[j])) b[j] = T.Zero;
        }
        if (plan.ClipScale != T.One)
            for (int j = 0; j < b.Length; j++) b[j] = b[j] * plan.ClipScale;
        return buffer;
    }

    private void Accumulate(List<ParameterGroup<T>> groups, bool zeroNonFinite)
    {
        foreach (var g in groups)
        {
            for (int i = 0; i < g.Parameters.Count; i++)
            {
                var acc = g.States[i].Buffer(AccumulatorName).AsSpan();
                var grad = g.Parameters[i].Gradient.Span;
                for (int j = 0; j < acc.Length; j++)
                {
                    T x = grad[j];
                    if (zeroNonFinite && !T.IsFinite(x)) x = T.Zero;
                    acc[j] = acc[j] + x;
                }
            }
        }
    }

    // The values a step reads from a parameter's gradient: the rows present of a sparse gradient, else the dense buffer.
    private static ReadOnlySpan<T> GradientValues(Parameter<T> parameter) =>
        parameter.SparseGradient is { } sparse ? sparse.Values : parameter.Gradient.Span;

    private static bool AllGradientsFinite(List<ParameterGroup<T>> groups)
    {
        foreach (var g in groups)
            for (int i = 0; i < g.States.Length; i++)
                foreach (T x in GradientValues(g.Parameters[i]))
                    if (!T.IsFinite(x)) return false;
        return true;
    }

    private double GlobalNorm(List<ParameterGroup<T>> groups, bool zeroNonFinite, bool accumulated)
    {
        double sum = 0;
        foreach (var g in groups)
        {
            for (int i = 0; i < g.Parameters.Count; i++)
            {
                ReadOnlySpan<T> x = accumulated ? g.States[i].Buffer(AccumulatorName) : GradientValues(g.Parameters[i]);
                double scale = accumulated ? 1.0 / AccumulationSteps : 1.0;
                double part = 0;
                foreach (T v in x)
                {
                    double d = double.CreateTruncating(v) * scale;
                    if (zeroNonFinite && !double.IsFinite(d)) continue;
                    part += d * d;
                }
                sum += part;
            }
        }
        return Math.Sqrt(sum);
    }
}

/// <summary>The outcome of <see cref="GradientPreprocessing{T}.Plan"/> for one <see cref="Optimizer{T}.Step"/> call.</summary>
/// <param name="Applies">A step is applied (false: skipped or an accumulation micro-step).</param>
/// <param name="ZeroNonFinite">Non-finite gradient entries are replaced by 0.</param>
/// <param name="Accumulated">The step uses the mean of the accumulated gradients.</param>
/// <param name="ClipScale">The global-norm clipping factor (1: none).</param>
internal readonly record struct PreparedStep<T>(bool Applies, bool ZeroNonFinite, bool Accumulated, T ClipScale)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether gradients must be copied and prepared (false: the chains read the user's buffers directly).</summary>
    public bool Prepares => ZeroNonFinite || Accumulated || ClipScale != T.One;
}
