using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers;

namespace Descent.Serialization;

/// <summary>
/// Saves an <see cref="Optimizer{T}"/>'s whole state into a <see cref="Checkpoint"/> under a key prefix, and loads it back:
/// the kind, the step counters (applied, skipped, accumulation micro-step), and for every parameter its step, every state
/// buffer and every state scalar. Keys: <c>{prefix}/kind</c>, <c>{prefix}/step_count</c>, <c>{prefix}/skipped_steps</c>,
/// <c>{prefix}/micro_step</c>, <c>{prefix}/parameters</c> (names, one a line), and per parameter <c>{prefix}/{name}/step</c>,
/// <c>{prefix}/{name}/buffers</c> (names, one a line), <c>{prefix}/{name}/{buffer}</c>, <c>{prefix}/{name}/scalars</c>,
/// <c>{prefix}/{name}/scalar/{scalar}</c>.
/// </summary>
/// <remarks>Loading validates everything (kind, names, buffer names and lengths, element type) before anything changes.</remarks>
public static class OptimizerCheckpoint
{
    /// <summary>Writes <paramref name="optimizer"/>'s state into <paramref name="checkpoint"/> under <paramref name="prefix"/>.</summary>
    public static void Save<T>(Checkpoint checkpoint, string prefix, Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(optimizer);
        Save(checkpoint, prefix, optimizer.SaveState());
    }

    /// <summary>
    /// Writes an optimizer state snapshot under <paramref name="prefix"/>, in the same form as
    /// <see cref="Save{T}(Checkpoint, string, Optimizer{T})"/> (for state assembled elsewhere, e.g. gathered from the shards of
    /// ZeRO data-parallel training).
    /// </summary>
    public static void Save<T>(Checkpoint checkpoint, string prefix, OptimizerSnapshot<T> snapshot) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(snapshot);
        checkpoint.Set($"{prefix}/kind", snapshot.Kind);
        checkpoint.Set($"{prefix}/step_count", snapshot.StepCount);
        checkpoint.Set($"{prefix}/skipped_steps", snapshot.SkippedSteps);
        checkpoint.Set($"{prefix}/micro_step", snapshot.MicroStep);
        checkpoint.Set($"{prefix}/parameters", string.Join('\n', snapshot.Parameters.Select(p => p.Name)));
        foreach (var p in snapshot.Parameters)
        {
            string key = $"{prefix}/{p.Name}";
            checkpoint.Set($"{key}/step", p.Step);
            checkpoint.Set($"{key}/buffers", string.Join('\n', p.Buffers.Select(b => b.Key)));
            foreach (var b in p.Buffers) checkpoint.SetArray<T>($"{key}/{b.Key}", b.Value);
            checkpoint.Set($"{key}/scalars", string.Join('\n', p.Scalars.Select(s => s.Key)));
            foreach (var s in p.Scalars) checkpoint.Set($"{key}/scalar/{s.Key}", s.Value);
            // Compact state (bfloat16 bits, int8 codes and block maxima) is stored as is, never upcast.
            if (p.CompactBuffers.Count == 0) continue;
            checkpoint.Set($"{key}/compact_buffers", string.Join('\n', p.CompactBuffers.Select(c => c.Name)));
            foreach (var c in p.CompactBuffers)
            {
                string k = $"{key}/{c.Name}";
                checkpoint.Set($"{k}/precision", c.Precision.TextName());
                checkpoint.Set($"{k}/signed", c.IsSigned ? 1L : 0L);
                if (c.Precision == StatePrecision.BFloat16) checkpoint.Set(k, c.BFloat16Bits);
                else
                {
                    checkpoint.Set(k, c.Codes);
                    checkpoint.Set($"{k}/absmax", c.AbsMax);
                    checkpoint.Set($"{k}/map", c.MapName ?? CompactStateBuffer.MapFor(c.IsSigned).Name);
                }
            }
        }
    }

    /// <summary>
    /// Loads the state saved under <paramref name="prefix"/> into <paramref name="optimizer"/>. Throws
    /// <see cref="CheckpointException"/> saying what differs (optimizer kind, parameter names, buffers, lengths, element type)
    /// and leaves the optimizer untouched when the checkpoint does not fit.
    /// </summary>
    public static void Load<T>(Checkpoint checkpoint, string prefix, Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
        => Load(checkpoint, prefix, optimizer, convertStatePrecision: false);

    /// <summary>
    /// Loads as <see cref="Load{T}(Checkpoint, string, Optimizer{T})"/>; with <paramref name="convertStatePrecision"/> state saved
    /// in another precision (float32, bfloat16, int8) is converted to the optimizer's; without it a mismatch is an error.
    /// </summary>
    public static void Load<T>(Checkpoint checkpoint, string prefix, Optimizer<T> optimizer, bool convertStatePrecision) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(optimizer);
        string kind = checkpoint.GetString($"{prefix}/kind");
        if (kind != optimizer.Kind)
            throw new CheckpointException($"The checkpoint holds the state of a '{kind}' optimizer; this run uses '{optimizer.Kind}'");
        var names = Lines(checkpoint.GetString($"{prefix}/parameters"));
        var here = optimizer.ParameterStates.ToArray();
        if (names.Length != here.Length)
            throw new CheckpointException($"The checkpoint's optimizer state has {names.Length} parameters ({string.Join(", ", names)}); this optimizer has {here.Length} ({string.Join(", ", here.Select(s => s.ParameterName))})");
        var parameters = new ParameterSnapshot<T>[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] != here[i].ParameterName)
                throw new CheckpointException($"Optimizer parameter {i} is '{names[i]}' in the checkpoint but '{here[i].ParameterName}' here");
            string key = $"{prefix}/{names[i]}";
            var bufferNames = Lines(checkpoint.GetString($"{key}/buffers"));
            var buffers = new KeyValuePair<string, T[]>[bufferNames.Length];
            for (int b = 0; b < bufferNames.Length; b++)
            {
                string k = $"{key}/{bufferNames[b]}";
                // Most buffers have the parameter's length; some are smaller (Adafactor's factored row/column moments).
                int length = here[i].TryGetBuffer(bufferNames[b])?.Length ?? here[i].TryGetCompactBuffer(bufferNames[b])?.Length
                    ?? throw new CheckpointException($"The checkpoint has a state buffer '{bufferNames[b]}' for '{names[i]}' that this optimizer does not keep");
                checkpoint.RequireArray<T>(k, length);
                buffers[b] = new(bufferNames[b], checkpoint.GetArray<T>(k).ToArray());
            }
            var scalarNames = Lines(checkpoint.GetString($"{key}/scalars"));
            var scalars = scalarNames.Select(s => new KeyValuePair<string, double>(s, checkpoint.GetDouble($"{key}/scalar/{s}"))).ToArray();
            var compact = new List<CompactBufferSnapshot>();
            if (checkpoint.Contains($"{key}/compact_buffers"))
            {
                foreach (string name in Lines(checkpoint.GetString($"{key}/compact_buffers")))
                {
                    string k = $"{key}/{name}";
                    StatePrecision precision;
                    try
                    {
                        precision = StatePrecisions.Parse(checkpoint.GetString($"{k}/precision"));
                    }
                    catch (ArgumentException ex)
                    {
                        throw new CheckpointException($"Checkpoint entry '{k}/precision': {ex.Message}");
                    }
                    bool signed = checkpoint.GetInt64($"{k}/signed") != 0;
                    compact.Add(precision == StatePrecision.BFloat16
                        ? new CompactBufferSnapshot(name, precision, signed, checkpoint.GetArray<ushort>(k).ToArray(), [], [])
                        : new CompactBufferSnapshot(name, precision, signed, [], checkpoint.GetArray<byte>(k).ToArray(), checkpoint.GetArray<float>($"{k}/absmax").ToArray())
                        {
                            // Files written before the offset-float maps hold dynamic-tree codes and no map entry.
                            MapName = checkpoint.Contains($"{k}/map") ? checkpoint.GetString($"{k}/map") : QuantizationMap.DynamicSigned.Name,
                        });
                }
            }
            parameters[i] = new ParameterSnapshot<T>(names[i], checkpoint.GetInt64($"{key}/step"), buffers, scalars) { CompactBuffers = compact };
        }
        var snapshot = new OptimizerSnapshot<T>(kind, checkpoint.GetInt64($"{prefix}/step_count"), checkpoint.GetInt64($"{prefix}/skipped_steps"),
            checkpoint.GetInt64($"{prefix}/micro_step"), parameters);
        try
        {
            optimizer.LoadState(snapshot, convertStatePrecision);
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException($"The checkpoint's optimizer state does not fit: {ex.Message.Split(" (Parameter")[0]}");
        }
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.Split('\n');
}
