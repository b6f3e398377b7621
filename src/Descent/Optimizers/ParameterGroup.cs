using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// Parameters sharing hyperparameters. Any hyperparameter of the optimizer can be overridden for the group
/// (PyTorch's per-group options), e.g. no weight decay on biases or a smaller learning rate for a backbone.
/// </summary>
public sealed class ParameterGroup<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Optimizer<T> _owner;
    private readonly Hyperparameter?[] _overrides = new Hyperparameter?[Hyperparameters.Count];
    internal readonly double[] Resolved = new double[Hyperparameters.Count];
    internal readonly ParameterState<T>[] States;

    internal ParameterGroup(Optimizer<T> owner, Parameter<T>[] parameters)
    {
        _owner = owner;
        Parameters = parameters;
        States = new ParameterState<T>[parameters.Length];
        for (int i = 0; i < parameters.Length; i++) States[i] = new ParameterState<T>(parameters[i].Name, parameters[i].Length, parameters[i].Shape);
    }

    /// <summary>The precision of this group's moment buffers (tensors below the small-tensor threshold keep float state).</summary>
    public StatePrecision StatePrecision { get; internal set; }

    /// <summary>The parameters, in registration order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The state of each parameter (same order as <see cref="Parameters"/>).</summary>
    public IReadOnlyList<ParameterState<T>> ParameterStates => States;

    /// <summary>Overrides <paramref name="key"/> for this group (a number converts to a constant). Throws if the optimizer does not use the key or the value is out of range.</summary>
    public ParameterGroup<T> Set(HyperparameterKey key, Hyperparameter value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _owner.CheckSettable(key, value);
        _overrides[(int)key] = value;
        return this;
    }

    /// <summary>The hyperparameter in force for this group: its override, else the optimizer's default.</summary>
    public Hyperparameter Get(HyperparameterKey key) => _overrides[(int)key] ?? _owner.GetDefault(key);

    /// <summary>The learning rate the next step will use (the schedule applied), for logging.</summary>
    public double LearningRate => Get(HyperparameterKey.LearningRate).At(_owner.StepCount);

    internal Hyperparameter? Override(HyperparameterKey key) => _overrides[(int)key];
}
