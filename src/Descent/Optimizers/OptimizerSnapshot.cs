namespace Descent.Optimizers;

/// <summary>A live state buffer: which parameter, which buffer (PyTorch's state key), and its values.</summary>
public readonly record struct StateBuffer<T>(string ParameterName, string BufferName, Memory<T> Values);

/// <summary>A deep copy of one parameter's state.</summary>
public sealed record ParameterSnapshot<T>(string Name, long Step, IReadOnlyList<KeyValuePair<string, T[]>> Buffers, IReadOnlyList<KeyValuePair<string, double>> Scalars)
{
    /// <summary>The buffers held in a compact precision (bfloat16, int8), stored as is.</summary>
    public IReadOnlyList<CompactBufferSnapshot> CompactBuffers { get; init; } = [];
}

/// <summary>A deep copy of an optimizer's state: kind, step counters and every parameter's state.</summary>
public sealed record OptimizerSnapshot<T>(string Kind, long StepCount, long SkippedSteps, long MicroStep, IReadOnlyList<ParameterSnapshot<T>> Parameters);
