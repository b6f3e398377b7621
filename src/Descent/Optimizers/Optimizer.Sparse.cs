using System.Numerics;
using Descent.Optimizers.Rules;

namespace Descent.Optimizers;

public sealed partial class Optimizer<T>
{
    /// <summary>
    /// Whether this optimizer can step lazily on <see cref="SparseGradient{T}"/>s: its chain is element-wise (each element's
    /// update depends on that element's gradient, parameter and state only) and every state buffer has the parameter's length.
    /// </summary>
    public bool SupportsSparseGradients
    {
        get
        {
            foreach (var rule in _rules) if (!IsElementwise(rule)) return false;
            return true;
        }
    }

    private static bool IsElementwise(IUpdateRule<T> rule) => rule is Maximize<T> or AddDecayedWeights<T> or ScaleByLearningRate<T> or Trace<T>
        or ScaleByAdam<T> or ScaleByRms<T> or ScaleByAdaGrad<T> or ScaleByAdamax<T> or ScaleByAdadelta<T> or ClipByValue<T> or ScaleByLion<T>
        or ScaleByYogi<T> or ScaleByRprop<T> or ScaleBySparseAdam<T>;

    private bool AnySparse()
    {
        foreach (var g in _groups)
            for (int i = 0; i < g.Parameters.Count; i++)
                if (g.Parameters[i].SparseGradient is not null) return true;
        return false;
    }

    // Per parameter state (weakly, so replaced states are not kept alive), the compact state its lazy steps run on (buffers grown to the most rows seen, reused), and the
    // gathered values: after the largest batch of rows has been seen, a lazy step allocates nothing.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ParameterState<T>, ParameterState<T>> _compactStates = new();
    private T[] _sparseValues = [];

    // The lazy step of one parameter: the rows present are gathered with their state into a compact state, the chain runs on
    // them, and they are scattered back; absent rows (values and state) do not change. The compact state's buffers may be longer
    // than the rows present: every element-wise rule (IsElementwise) touches only the first update.Length elements of a buffer.
    private void StepSparse(Parameter<T> p, ParameterState<T> s, SparseGradient<T> sparse, in StepContext context)
    {
        for (int k = 0; k < _rules.Length; k++)
            if (!IsElementwise(_rules[k]))
                throw new NotSupportedException($"{Kind}: rule '{_rules[k].Name}' is not element-wise, so '{p.Name}' cannot step on a sparse gradient (use sparse_adam, adam, sgd, ...).");
        int width = sparse.RowLength;
        if (p.Length % width != 0) throw new ArgumentException($"'{p.Name}' has {p.Length} values, not a whole number of rows of {width}.", nameof(p));
        int rowCount = p.Length / width;
        var rows = sparse.Rows;
        foreach (int r in rows)
            if (r >= rowCount) throw new ArgumentOutOfRangeException(nameof(p), r, $"Sparse gradient row {r} is outside '{p.Name}' ({rowCount} rows).");
        var buffers = s.Buffers;
        for (int b = 0; b < buffers.Count; b++)
            if (buffers[b].Value.Length != p.Length) throw new NotSupportedException($"{Kind}: state buffer '{buffers[b].Key}' of '{p.Name}' is not element-wise.");
        int n = rows.Length * width;
        var compact = CompactStateFor(s, n, width);
        compact.Step = s.Step;
        var compactBuffers = compact.Buffers;
        for (int b = 0; b < buffers.Count; b++)
        {
            var source = buffers[b].Value;
            var target = compactBuffers[b].Value;
            for (int r = 0; r < rows.Length; r++) source.AsSpan(rows[r] * width, width).CopyTo(target.AsSpan(r * width, width));
        }
        for (int k = 0; k < s.Scalars.Count; k++) compact.Scalars[k].Value = s.Scalars[k].Value;
        if (_sparseValues.Length < n) _sparseValues = new T[Math.Max(n, Math.Min(p.Length, 2 * _sparseValues.Length))];
        var values = _sparseValues.AsSpan(0, n);
        var full = p.Value.Span;
        for (int r = 0; r < rows.Length; r++) full.Slice(rows[r] * width, width).CopyTo(values.Slice(r * width, width));
        var update = _update.AsSpan(0, n);
        sparse.Values.CopyTo(update);
        for (int k = 0; k < _rules.Length; k++) _rules[k].Apply(update, values, compact, context);
        for (int r = 0; r < rows.Length; r++)
        {
            var destination = full.Slice(rows[r] * width, width);
            for (int k = 0; k < width; k++) destination[k] = values[r * width + k] + update[r * width + k];
        }
        for (int b = 0; b < buffers.Count; b++)
        {
            var source = compactBuffers[b].Value;
            var target = buffers[b].Value;
            for (int r = 0; r < rows.Length; r++) source.AsSpan(r * width, width).CopyTo(target.AsSpan(rows[r] * width, width));
        }
        for (int k = 0; k < s.Scalars.Count; k++) s.Scalars[k].Value = compact.Scalars[k].Value;
    }

    // The compact state of s with room for n elements (rows of width): created with the same buffer names and scalars, and
    // replaced by one twice as large (at most the parameter's length) when more rows come.
    private ParameterState<T> CompactStateFor(ParameterState<T> s, int n, int width)
    {
        if (_compactStates.TryGetValue(s, out var cached) && cached.Length >= n && cached.Buffers.Count == s.Buffers.Count && cached.Scalars.Count == s.Scalars.Count)
            return cached;
        int capacity = Math.Max(n, Math.Min(s.Length, 2 * (cached?.Length ?? 0)));
        capacity = Math.Max(width, capacity - capacity % width);
        var compact = new ParameterState<T>(s.ParameterName, capacity, [capacity / width, width]);
        for (int b = 0; b < s.Buffers.Count; b++) compact.AddBuffer(s.Buffers[b].Key, T.Zero);
        for (int k = 0; k < s.Scalars.Count; k++) compact.AddScalar(s.Scalars[k].Name, s.Scalars[k].Value);
        _compactStates.AddOrUpdate(s, compact);
        return compact;
    }
}
