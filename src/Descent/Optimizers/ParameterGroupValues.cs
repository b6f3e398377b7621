namespace Descent.Optimizers;

/// <summary>One group's hyperparameters resolved for a step (for cross-checks such as "Nesterov needs momentum").</summary>
public readonly struct ParameterGroupValues
{
    private readonly double[] _values;
    internal ParameterGroupValues(double[] values) => _values = values;

    /// <summary>The value of <paramref name="key"/> (NaN if unused).</summary>
    public double this[HyperparameterKey key] => _values[(int)key];
}
