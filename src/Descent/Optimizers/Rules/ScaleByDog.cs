using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// DoG, "Distance over Gradients" (Ivgi, Hinder, Carmon 2023), a learning-rate-free SGD step:
/// η_t = r̄_t / √(Σ_{i≤t} ‖g_i‖² + ε), r̄_t = max(r_ε, max_{i≤t} ‖x_i - x_0‖), r_ε = <c>reps_rel</c> (1 + ‖x_0‖),
/// x_{t+1} = x_t - lr η_t g_t, with the norms over every parameter of the optimizer (the paper's global DoG; lr = 1 is
/// the method, other values scale it). Two passes as <see cref="ScaleByProdigy{T}"/>: <see cref="Apply"/> gathers the norms and keeps the
/// direction, <see cref="EndStep"/> moves every parameter. State: buffers <c>x0</c>, <c>direction</c>; scalars <c>rbar</c>, <c>G</c> (same
/// in every parameter's state).
/// </summary>
/// <remarks>Ivgi, Hinder, Carmon, "DoG is SGD's Best Friend: A Parameter-Free Dynamic Step Size Schedule", ICML 2023,
/// Algorithm 1 (and the authors' <c>DoG</c> class: r_ε = reps_rel (1 + ‖x₀‖), ε = 1e-8 inside the root). Weight decay, when
/// set, is added to the gradient before the norms (coupled), as the authors' code does.</remarks>
public sealed class ScaleByDog<T>(double relativeInitialDistance, double epsilon) : IGlobalStepRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _rbar, _g, _distance, _initialNorm, _gradient;
    private bool _first, _active;

    /// <inheritdoc/>
    public string Name => "scale_by_dog";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("x0", T.Zero);
        state.AddBuffer("direction", T.Zero);
        state.AddScalar("rbar", 0.0);
        state.AddScalar("G", 0.0);
    }

    /// <summary>The step size η of the last step (before lr), from the optimizer's state (0 before the first step).</summary>
    public static double LastStepSize(Optimizer<T> optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var s in optimizer.ParameterStates)
        {
            double g = s.Scalar("G").Value;
            return s.Step == 0 ? 0 : s.Scalar("rbar").Value / Math.Sqrt(g + 1e-8);
        }
        return 0;
    }

    /// <inheritdoc/>
    public void BeginStep(Optimizer<T> optimizer)
    {
        _active = false;
        var groups = optimizer.Groups;
        for (int n = 0; n < groups.Count; n++)
        {
            if (groups[n].States.Length == 0) continue;
            var s = groups[n].States[0];
            _rbar = s.Scalar("rbar").Value;
            _g = s.Scalar("G").Value;
            _first = s.Step == 0;
            _active = true;
            break;
        }
        _distance = _initialNorm = _gradient = 0;
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var x0 = state.Buffer("x0").AsSpan();
        var direction = state.Buffer("direction").AsSpan();
        if (context.Step == 1) parameter.CopyTo(x0);
        for (int i = 0; i < update.Length; i++)
        {
            double x = double.CreateTruncating(parameter[i]), g = double.CreateTruncating(update[i]);
            double d = x - double.CreateTruncating(x0[i]);
            _distance += d * d;
            _initialNorm += x * x;
            _gradient += g * g;
        }
        update.CopyTo(direction);
        update.Clear();
    }

    /// <inheritdoc/>
    public void EndStep(Optimizer<T> optimizer, bool applied)
    {
        if (!_active || !applied) return; // skipped or accumulated: the sums of BeginStep are dropped
        double rbar = _first ? relativeInitialDistance * (1 + Math.Sqrt(_initialNorm)) : Math.Max(_rbar, Math.Sqrt(_distance));
        double g = _g + _gradient;
        double eta = rbar / Math.Sqrt(g + epsilon);
        var groups = optimizer.Groups;
        for (int n = 0; n < groups.Count; n++)
        {
            var group = groups[n];
            T step = T.CreateTruncating(-(group.Resolved[(int)HyperparameterKey.LearningRate] * eta));
            for (int k = 0; k < group.States.Length; k++)
            {
                var s = group.States[k];
                s.Scalar("rbar").Value = rbar;
                s.Scalar("G").Value = g;
                var value = group.Parameters[k].Value.Span;
                var direction = s.Buffer("direction");
                for (int i = 0; i < value.Length; i++) value[i] = value[i] + step * direction[i];
            }
        }
    }
}
