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

    // The lazy step of one parameter: the rows present are gathered with their state into a compact state, the chain runs on
    // them, and they are scattered back; absent rows (values and state) do not change. The compact state is allocated per call
    // (its size is that of the rows present).
    private void StepSparse(Parameter<T> p, ParameterState<T> s, SparseGradient<T> sparse, in StepContext context)
    {
        foreach (var rule in _rules)
            if (!IsElementwise(rule))
                throw new NotSupportedException($"{Kind}: rule '{rule.Name}' is not element-wise, so '{p.Name}' cannot step on a sparse gradient (use sparse_adam, adam, sgd, ...).");
        int width = sparse.RowLength;
        if (p.Length % width != 0) throw new ArgumentException($"'{p.Name}' has {p.Length} values, not a whole number of rows of {width}.", nameof(p));
        int rowCount = p.Length / width;
        var rows = sparse.Rows;
        foreach (int r in rows)
            if (r >= rowCount) throw new ArgumentOutOfRangeException(nameof(p), r, $"Sparse gradient row {r} is outside '{p.Name}' ({rowCount} rows).");
        foreach (var b in s.Buffers)
            if (b.Value.Length != p.Length) throw new NotSupportedException($"{Kind}: state buffer '{b.Key}' of '{p.Name}' is not element-wise.");
        int n = rows.Length * width;
        var compact = new ParameterState<T>(s.ParameterName, n, [rows.Length, width]) { Step = s.Step };
        foreach (var b in s.Buffers)
        {
            var target = compact.AddBuffer(b.Key, T.Zero);
            for (int r = 0; r < rows.Length; r++) b.Value.AsSpan(rows[r] * width, width).CopyTo(target.AsSpan(r * width, width));
        }
        foreach (var scalar in s.Scalars) compact.AddScalar(scalar.Name, scalar.Value);
        var values = new T[n];
        var full = p.Value.Span;
        for (int r = 0; r < rows.Length; r++) full.Slice(rows[r] * width, width).CopyTo(values.AsSpan(r * width, width));
        var update = _update.AsSpan(0, n);
        sparse.Values.CopyTo(update);
        foreach (var rule in _rules) rule.Apply(update, values, compact, context);
        for (int r = 0; r < rows.Length; r++)
        {
            var destination = full.Slice(rows[r] * width, width);
            for (int k = 0; k < width; k++) destination[k] = values[r * width + k] + update[r * width + k];
        }
        for (int b = 0; b < s.Buffers.Count; b++)
        {
            var source = compact.Buffers[b].Value;
            var target = s.Buffers[b].Value;
            for (int r = 0; r < rows.Length; r++) source.AsSpan(r * width, width).CopyTo(target.AsSpan(rows[r] * width, width));
        }
        for (int k = 0; k < s.Scalars.Count; k++) s.Scalars[k].Value = compact.Scalars[k].Value;
    }
}
