using System.Numerics;

namespace Descent.Optimizers;

// The state of Optimizer<T>: enumerate every buffer, save a deep copy, load one back (validated first).
public sealed partial class Optimizer<T>
{
    /// <summary>Every state buffer, live (writing to it changes the optimizer): (parameter name, buffer name, values).</summary>
    public IEnumerable<StateBuffer<T>> StateBuffers
    {
        get
        {
            foreach (var g in _groups)
                foreach (var s in g.States)
                    foreach (var b in s.Buffers)
                        yield return new StateBuffer<T>(s.ParameterName, b.Key, b.Value);
        }
    }

    /// <summary>Every parameter's state (step, buffers, scalars), in group and registration order.</summary>
    public IEnumerable<ParameterState<T>> ParameterStates => _groups.SelectMany(g => g.States);

    /// <summary>A deep copy of the whole state.</summary>
    public OptimizerSnapshot<T> SaveState() => new(
        Kind, StepCount, SkippedSteps, MicroStep,
        ParameterStates.Select(s => new ParameterSnapshot<T>(
            s.ParameterName, s.Step,
            s.Buffers.Select(b => new KeyValuePair<string, T[]>(b.Key, (T[])b.Value.Clone())).ToArray(),
            s.Scalars.Select(x => new KeyValuePair<string, double>(x.Name, x.Value)).ToArray())
        {
            CompactBuffers = s.CompactBuffers.Select(CompactBufferSnapshot.Of).ToArray(),
        }).ToArray());

    /// <summary>
    /// Loads <paramref name="snapshot"/>: the kind, parameter names, buffer names and lengths and scalar names must all match
    /// this optimizer exactly; otherwise an <see cref="ArgumentException"/> says what differs and nothing is changed.
    /// </summary>
    public void LoadState(OptimizerSnapshot<T> snapshot) => LoadState(snapshot, convertStatePrecision: false);

    /// <summary>
    /// Loads <paramref name="snapshot"/> as <see cref="LoadState(OptimizerSnapshot{T})"/>; with <paramref name="convertStatePrecision"/>
    /// a buffer saved in another precision (float32, bfloat16, int8) is converted to this optimizer's (decoded, then
    /// encoded); without it a precision mismatch is an error and nothing changes.
    /// </summary>
    public void LoadState(OptimizerSnapshot<T> snapshot, bool convertStatePrecision)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Kind != Kind) throw new ArgumentException($"State of a '{snapshot.Kind}' optimizer cannot be loaded into '{Kind}'.", nameof(snapshot));
        if (snapshot.StepCount < 0 || snapshot.SkippedSteps < 0 || snapshot.MicroStep < 0 || snapshot.MicroStep >= GradientAccumulationSteps)
            throw new ArgumentException("Step counts out of range.", nameof(snapshot));
        var states = ParameterStates.ToArray();
        if (states.Length != snapshot.Parameters.Count)
            throw new ArgumentException($"The snapshot has {snapshot.Parameters.Count} parameters; this optimizer has {states.Length}.", nameof(snapshot));
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            var p = snapshot.Parameters[i];
            if (p.Name != s.ParameterName) throw new ArgumentException($"Parameter {i} is '{p.Name}' in the snapshot but '{s.ParameterName}' here.", nameof(snapshot));
            if (p.Step < 0) throw new ArgumentException($"Negative step for '{p.Name}'.", nameof(snapshot));
            CompactStateTransfer.Check(p, s, convertStatePrecision);
            if (convertStatePrecision) goto scalars;
            if (p.Buffers.Count != s.Buffers.Count) throw new ArgumentException($"'{p.Name}' has {p.Buffers.Count} state buffers in the snapshot, {s.Buffers.Count} here.", nameof(snapshot));
            for (int b = 0; b < p.Buffers.Count; b++)
            {
                if (p.Buffers[b].Key != s.Buffers[b].Key) throw new ArgumentException($"'{p.Name}' buffer {b} is '{p.Buffers[b].Key}' in the snapshot, '{s.Buffers[b].Key}' here.", nameof(snapshot));
                if (p.Buffers[b].Value is null || p.Buffers[b].Value.Length != s.Buffers[b].Value.Length) throw new ArgumentException($"'{p.Name}.{p.Buffers[b].Key}' has length {p.Buffers[b].Value?.Length} in the snapshot, {s.Buffers[b].Value.Length} here.", nameof(snapshot)); // buffers may be shorter than the parameter (Adafactor factors)
            }
        scalars:
            if (p.Scalars.Count != s.Scalars.Count) throw new ArgumentException($"'{p.Name}' has {p.Scalars.Count} state scalars in the snapshot, {s.Scalars.Count} here.", nameof(snapshot));
            for (int b = 0; b < p.Scalars.Count; b++)
                if (p.Scalars[b].Key != s.Scalars[b].Name) throw new ArgumentException($"'{p.Name}' scalar {b} is '{p.Scalars[b].Key}' in the snapshot, '{s.Scalars[b].Name}' here.", nameof(snapshot));
        }
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            var p = snapshot.Parameters[i];
            s.Step = p.Step;
            CompactStateTransfer.Copy(p, s);
            for (int b = 0; b < p.Scalars.Count; b++) s.Scalars[b].Value = p.Scalars[b].Value;
        }
        StepCount = snapshot.StepCount;
        _preprocessing.SkippedSteps = snapshot.SkippedSteps;
        _preprocessing.MicroStep = snapshot.MicroStep;
    }
}
