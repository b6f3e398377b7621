namespace Descent.Optimizers;

/// <summary>
/// What a rule sees of the current step: the parameter's step number (1-based, as PyTorch's <c>state['step']</c>
/// after its increment), the group's hyperparameters resolved for this step, and the learning-rate schedule factor.
/// </summary>
public readonly struct StepContext
{
    private readonly double[] _values;

    internal StepContext(long step, double[] values, double learningRateFactor, int maxDegreeOfParallelism = 1)
    {
        Step = step;
        _values = values;
        LearningRateFactor = learningRateFactor;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    /// <summary>The optimizer's <see cref="Optimizer{T}.MaxDegreeOfParallelism"/>: threads a kernel may use for this parameter.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>1-based step number of this parameter.</summary>
    public long Step { get; }

    /// <summary>The factor of the learning-rate schedule at this step (1 without a schedule); the AdamW "paper" decay uses it.</summary>
    public double LearningRateFactor { get; }

    /// <summary>The resolved value of <paramref name="key"/> (NaN when the optimizer does not use it).</summary>
    public double this[HyperparameterKey key] => _values[(int)key];

    /// <summary>The learning rate of this step.</summary>
    public double LearningRate => _values[(int)HyperparameterKey.LearningRate];
}
