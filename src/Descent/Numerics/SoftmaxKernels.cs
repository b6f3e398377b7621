using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// Fused row-wise softmax kernels for the classification losses: log-sum-exp, loss and gradient in one pass over
/// each row, rows processed in parallel in fixed chunks. Each row's arithmetic is the same whatever thread runs it,
/// so results never depend on the thread count.
/// </summary>
public static class SoftmaxKernels
{
    /// <summary>Rows per parallel work item.</summary>
    public const int RowsPerChunk = 32;

    /// <summary>Below this many logits the kernel runs on the calling thread.</summary>
    public const int ParallelThreshold = 1 << 16;

    /// <summary>
    /// Softmax cross-entropy with class-index targets. For each row r with target t ≠ <paramref name="ignoreIndex"/>:
    /// <c>rowLoss[r] = logsumexp(x_r) - x_r[t]</c> and <c>gradient_r = gradientScale · (softmax(x_r) - onehot(t))</c>;
    /// ignored rows get loss 0 and gradient 0. Targets must already be validated.
    /// </summary>
    /// <param name="logits">Rows of <paramref name="classes"/> logits.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="classes">Classes per row.</param>
    /// <param name="ignoreIndex">A target that contributes nothing.</param>
    /// <param name="gradientScale">Multiplies every gradient row (e.g. 1 / rows for a mean).</param>
    /// <param name="gradient">Written, the size of <paramref name="logits"/>.</param>
    /// <param name="rowLoss">Written, one value per row.</param>
    /// <param name="maxDegreeOfParallelism">Threads at most (default <see cref="Parallelism.ProcessDefault"/>); the result does not depend on it.</param>
    public static unsafe void CrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex,
        T gradientScale, Span<T> gradient, Span<T> rowLoss, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = targets.Length;
        int maxThreads = Parallelism.Resolve(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (logits.Length != rows * classes || gradient.Length != logits.Length || rowLoss.Length < rows)
        {
            throw new ArgumentException("Inconsistent spans for the softmax cross-entropy kernel.");
        }
        fixed (T* pl = logits)
        fixed (int* pt = targets)
        fixed (T* pg = gradient)
        fixed (T* pr = rowLoss)
        {
            int threads = Math.Min(maxThreads, (rows + RowsPerChunk - 1) / RowsPerChunk);
            if (threads <= 1 || (long)rows * classes < ParallelThreshold)
            {
                Rows(pl, pt, pg, pr, 0, rows, classes, ignoreIndex, gradientScale);
                return;
            }
            ParallelRows((nint)pl, (nint)pt, (nint)pg, (nint)pr, rows, classes, ignoreIndex, gradientScale, threads);
        }
    }

    // Chunks of RowsPerChunk rows on the worker pool (one cached job per thread and type: no allocation per call).
    private static void ParallelRows<T>(nint l, nint t, nint g, nint r, int rows, int classes, int ignoreIndex, T scale, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = RowsJob<T>.ForThisThread();
        job.Set(l, t, g, r, rows, classes, ignoreIndex, scale);
        WorkerPool.Shared.Run(job, (rows + RowsPerChunk - 1) / RowsPerChunk, threads);
    }

    private sealed class RowsJob<T> : ChunkJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static RowsJob<T>? _cached;
        private nint _logits, _targets, _gradient, _rowLoss;
        private int _rows, _classes, _ignoreIndex;
        private T _scale = T.Zero;

        public static RowsJob<T> ForThisThread() => _cached ??= new RowsJob<T>();

        public void Set(nint logits, nint targets, nint gradient, nint rowLoss, int rows, int classes, int ignoreIndex, T scale)
        {
            _logits = logits; _targets = targets; _gradient = gradient; _rowLoss = rowLoss;
            _rows = rows; _classes = classes; _ignoreIndex = ignoreIndex; _scale = scale;
        }

        public override unsafe void RunChunk(int index)
        {
            int start = index * RowsPerChunk;
            Rows((T*)_logits, (int*)_targets, (T*)_gradient, (T*)_rowLoss, start, Math.Min(_rows, start + RowsPerChunk), _classes, _ignoreIndex, _scale);
        }
    }

    private static unsafe void Rows<T>(T* logits, int* targets, T* gradient, T* rowLoss, int start, int end, int classes,
        int ignoreIndex, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = start; r < end; r++)
        {
            var x = new ReadOnlySpan<T>(logits + (long)r * classes, classes);
            var g = new Span<T>(gradient + (long)r * classes, classes);
            int target = targets[r];
            if (target == ignoreIndex)
            {
                g.Clear();
                rowLoss[r] = T.Zero;
                continue;
            }
            T max, sum;
            if (typeof(T) == typeof(float))
            {
                // The next row of the chunk is prefetched while this one is exponentiated, so that its memory traffic
                // overlaps this row's arithmetic. The maximum ignores NaN; a NaN logit still makes exp(x - max), the sum,
                // the loss and the row's gradient NaN.
                var xf = (float*)(logits + (long)r * classes);
                var gf = (float*)(gradient + (long)r * classes);
                bool next = r + 1 < end;
                float m = MaxIgnoringNaN(xf, classes);
                max = T.CreateTruncating(m);
                sum = T.CreateTruncating(ExpShiftedSum(xf, gf, classes, m, next ? xf + classes : null, next ? gf + classes : null));
            }
            else
            {
                max = TensorPrimitives.Max(x);
                TensorPrimitives.Subtract(x, max, g);
                TensorPrimitives.Exp(g, g);
                sum = TensorPrimitives.Sum<T>(g);
            }
            if (typeof(T) == typeof(float)) ScaleInPlace((float*)(gradient + (long)r * classes), classes, float.CreateTruncating(scale / sum));
            else TensorPrimitives.Multiply(g, scale / sum, g);
            g[target] -= scale;
            rowLoss[r] = T.Log(sum) + max - x[target];
        }
    }

    // g = exp(x - max) and the sum of g in one pass (the sum's order depends only on n, never on the thread).
    // VectorExp everywhere (tail included), so each element's bits do not depend on its position in the row. Rows of at
    // least 16 elements end with an overlapping full register rather than a scalar loop.
    private static unsafe float ExpShiftedSum(float* x, float* g, int n, float max, float* prefetchX, float* prefetchG)
    {
        int i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var shift = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            bool prefetch = prefetchX != null && Sse.IsSupported;
            var acc2 = Vector512<float>.Zero;
            for (; i <= n - 2 * Vector512<float>.Count; i += 2 * Vector512<float>.Count)
            {
                if (prefetch)
                {
                    Sse.Prefetch0(prefetchX + i);
                    Sse.Prefetch0(prefetchX + i + 16);
                    Sse.Prefetch0(prefetchG + i);
                    Sse.Prefetch0(prefetchG + i + 16);
                }
                var e0 = VectorExp.Exp(Vector512.Load(x + i) - shift);
                var e1 = VectorExp.Exp(Vector512.Load(x + i + 16) - shift);
                e0.Store(g + i);
                e1.Store(g + i + 16);
                acc += e0;
                acc2 += e1;
            }
            acc += acc2;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                if (prefetch)
                {
                    Sse.Prefetch0(prefetchX + i);
                    Sse.Prefetch0(prefetchG + i);
                }
                var e = VectorExp.Exp(Vector512.Load(x + i) - shift);
                e.Store(g + i);
                acc += e;
            }
            if (i < n)
            {
                // Tail: the last full register, overlapping elements already done (recomputed to the same bits);
                // only the new lanes enter the sum.
                int rest = n - i;
                var e = VectorExp.Exp(Vector512.Load(x + n - 16) - shift);
                e.Store(g + n - 16);
                var fresh = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(16 - rest)).AsSingle();
                acc += e & fresh;
                i = n;
            }
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var shift = Vector256.Create(max);
            var acc = Vector256<float>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var e = VectorExp.Exp(Vector256.Load(x + i) - shift);
                e.Store(g + i);
                acc += e;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++)
        {
            float e = VectorExp.Exp(x[i] - max);
            g[i] = e;
            sum += e;
        }
        return sum;
    }

    // x *= k (the same single rounding per element as TensorPrimitives.Multiply, without its per-call overhead).
    private static unsafe void ScaleInPlace(float* x, int n, float k)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var kv = Vector512.Create(k);
            for (; i <= n - 16; i += 16) (Vector512.Load(x + i) * kv).Store(x + i);
        }
        for (; i < n; i++) x[i] *= k;
    }

    // Largest element, NaN ignored (MaxNative with four independent accumulators); -infinity for an empty or all-NaN row.
    private static unsafe float MaxIgnoringNaN(float* x, int n)
    {
        int i = 0;
        float max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && n >= 4 * Vector512<float>.Count)
        {
            var a0 = Vector512.Create(float.NegativeInfinity);
            var a1 = a0;
            var a2 = a0;
            var a3 = a0;
            for (; i <= n - 64; i += 64)
            {
                a0 = Vector512.MaxNative(Vector512.Load(x + i), a0);
                a1 = Vector512.MaxNative(Vector512.Load(x + i + 16), a1);
                a2 = Vector512.MaxNative(Vector512.Load(x + i + 32), a2);
                a3 = Vector512.MaxNative(Vector512.Load(x + i + 48), a3);
            }
            var a = Vector512.MaxNative(Vector512.MaxNative(a0, a1), Vector512.MaxNative(a2, a3));
            for (; i <= n - 16; i += 16) a = Vector512.MaxNative(Vector512.Load(x + i), a);
            if (i < n)
            {
                a = Vector512.MaxNative(Vector512.Load(x + n - 16), a); // overlapping last register
                i = n;
            }
            // Tree reduction. Should a NaN reach an accumulator, the maximum is NaN, and so is the row's result, as it
            // must be for a row that holds a NaN.
            var h = Vector256.MaxNative(a.GetLower(), a.GetUpper());
            var q = Vector128.MaxNative(h.GetLower(), h.GetUpper());
            q = Vector128.MaxNative(q, Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)));
            q = Vector128.MaxNative(q, Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)));
            max = q.ToScalar();
        }
        for (; i < n; i++) if (x[i] > max) max = x[i];
        return max;
    }

    /// <summary>Writes the log-softmax of each row of <paramref name="logits"/> into <paramref name="logSoftmax"/> (serial).</summary>
    public static void LogSoftmax<T>(ReadOnlySpan<T> logits, int classes, Span<T> logSoftmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int start = 0; start < logits.Length; start += classes)
        {
            var x = logits.Slice(start, classes);
            var o = logSoftmax.Slice(start, classes);
            T max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, o);
            TensorPrimitives.Exp(o, o);
            T lse = max + T.Log(TensorPrimitives.Sum<T>(o));
            TensorPrimitives.Subtract(x, lse, o);
        }
    }
}
