using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Numerics;

/// <summary>
/// Dense row-major matrix products for float and double: <c>C = A·B</c>, <c>C = A·Bᵀ</c> and <c>C = Aᵀ·B</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every output element is computed as one fused multiply-add chain over the inner dimension in index order,
/// <c>c = fma(a[i,k], b[k,j], c)</c> for <c>k = 0, 1, …, K-1</c>, starting from zero. The vector kernels (Vector512 where
/// accelerated, otherwise Vector256) and the scalar edge code follow that same chain, so the result does not depend on
/// the vector width, on the tiling, or on the number of threads: the inner dimension is never split.
/// </para>
/// <para>
/// The output is cut into fixed tiles of <see cref="TileRows"/> × <see cref="TileColumns"/>; tiles are spread over up to
/// the caller's number of threads when the product is large enough. Inside a tile a 4-row × 2-vector register
/// kernel streams through the inner dimension. <c>A·Bᵀ</c> first transposes B into a pooled scratch buffer.
/// </para>
/// </remarks>
public static class MatrixMultiply
{
    /// <summary>Rows of C per parallel work item.</summary>
    public const int TileRows = 32;

    /// <summary>Columns of C per parallel work item.</summary>
    public const int TileColumns = 256;

    /// <summary>Products with fewer multiply-adds than this run on the calling thread.</summary>
    private const long ParallelThreshold = 1L << 18;


    /// <summary><c>C[m×n] = A[m×k] · B[k×n]</c>, all row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is too short, or C overlaps A or B.</exception>
    /// <param name="a">The left factor, row-major (or its transpose, as the method's name says).</param>
    /// <param name="b">The right factor, row-major (or its transpose, as the method's name says).</param>
    /// <param name="c">The product, row-major <c>[m×n]</c>; overwritten.</param>
    /// <param name="m">Rows of the product.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of the product.</param>
    /// <param name="maxDegreeOfParallelism">Threads at most (default <see cref="Parallelism.ProcessDefault"/>); the result does not depend on it.</param>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(a, b, c, m, k, n);
        Run(a, b, c, m, k, n, transposeA: false, Parallelism.Resolve(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism)));
    }

    /// <summary><c>C[m×n] = A[m×k] · Bᵀ</c> where B is stored row-major as <c>[n×k]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is too short, or C overlaps A or B.</exception>
    /// <param name="a">The left factor, row-major (or its transpose, as the method's name says).</param>
    /// <param name="b">The right factor, row-major (or its transpose, as the method's name says).</param>
    /// <param name="c">The product, row-major <c>[m×n]</c>; overwritten.</param>
    /// <param name="m">Rows of the product.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of the product.</param>
    /// <param name="maxDegreeOfParallelism">Threads at most (default <see cref="Parallelism.ProcessDefault"/>); the result does not depend on it.</param>
    public static void MultiplyTransposeB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(a, b, c, m, k, n);
        int threads = Parallelism.Resolve(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (m == 0 || n == 0) return;
        int length = checked(k * n);
        T[] scratch = System.Buffers.ArrayPool<T>.Shared.Rent(Math.Max(length, 1));
        try
        {
            Transpose(b, scratch, n, k);
            Run(a, scratch.AsSpan(0, length), c, m, k, n, transposeA: false, threads);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary><c>C[m×n] = Aᵀ · B[k×n]</c> where A is stored row-major as <c>[k×m]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is too short, or C overlaps A or B.</exception>
    /// <param name="a">The left factor, row-major (or its transpose, as the method's name says).</param>
    /// <param name="b">The right factor, row-major (or its transpose, as the method's name says).</param>
    /// <param name="c">The product, row-major <c>[m×n]</c>; overwritten.</param>
    /// <param name="m">Rows of the product.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of the product.</param>
    /// <param name="maxDegreeOfParallelism">Threads at most (default <see cref="Parallelism.ProcessDefault"/>); the result does not depend on it.</param>
    public static void MultiplyTransposeA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(a, b, c, m, k, n);
        Run(a, b, c, m, k, n, transposeA: true, Parallelism.Resolve(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism)));
    }

    /// <summary>Writes the transpose of the row-major <c>[rows×columns]</c> matrix <paramref name="source"/> into <paramref name="destination"/> (<c>[columns×rows]</c>).</summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int columns) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long length = (long)rows * columns;
        if (source.Length < length) throw new ArgumentException($"The source needs {length} elements but has {source.Length}.", nameof(source));
        if (destination.Length < length) throw new ArgumentException($"The destination needs {length} elements but has {destination.Length}.", nameof(destination));
        TransposeCore(source, destination, rows, columns);
    }

    private static unsafe void TransposeCore<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int columns) where T : unmanaged
    {
        const int Block = 16;
        fixed (T* ps = source, pd = destination)
        {
            for (int i0 = 0; i0 < rows; i0 += Block)
            {
                int i1 = Math.Min(rows, i0 + Block);
                for (int j0 = 0; j0 < columns; j0 += Block)
                {
                    int j1 = Math.Min(columns, j0 + Block);
                    for (int j = j0; j < j1; j++)
                    {
                        T* d = pd + (nint)j * rows;
                        T* src = ps + j;
                        for (int i = i0; i < i1; i++) d[i] = src[(nint)i * columns];
                    }
                }
            }
        }
    }

    private static void Validate<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n) where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"MatrixMultiply supports float and double, not {typeof(T).Name}.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        long needA = (long)m * k, needB = (long)k * n, needC = (long)m * n;
        if (a.Length < needA) throw new ArgumentException($"A needs {needA} elements ({m}×{k}) but has {a.Length}.", nameof(a));
        if (b.Length < needB) throw new ArgumentException($"B needs {needB} elements but has {b.Length}.", nameof(b));
        if (c.Length < needC) throw new ArgumentException($"C needs {needC} elements ({m}×{n}) but has {c.Length}.", nameof(c));
        ReadOnlySpan<T> cr = c[..(int)needC];
        if (cr.Overlaps(a[..(int)needA]) || cr.Overlaps(b[..(int)needB]))
        {
            throw new ArgumentException("C must not overlap A or B.", nameof(c));
        }
    }

    private static unsafe void Run<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool transposeA, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            c[..(m * n)].Clear();
            return;
        }
        // a(i, kk) = A[i * rowStride + kk * columnStride]
        nint rowStride = transposeA ? 1 : k;
        nint columnStride = transposeA ? m : 1;
        int tilesDown = (m + TileRows - 1) / TileRows;
        int tilesAcross = (n + TileColumns - 1) / TileColumns;
        int tiles = tilesDown * tilesAcross;
        fixed (T* pa = a, pb = b, pc = c)
        {
            var job = new Job<T>(pa, pb, pc, m, k, n, rowStride, columnStride, tilesAcross);
            if (threads == 1 || tiles == 1 || (long)m * n * k < ParallelThreshold)
            {
                for (int t = 0; t < tiles; t++) job.RunTile(t);
            }
            else
            {
                // Tiles on the worker pool: one cached job per calling thread and type, so nothing is allocated per call.
                var parallel = ParallelJob<T>.ForThisThread();
                parallel.Job = job;
                WorkerPool.Shared.Run(parallel, tiles, threads);
            }
        }
    }

    private sealed class ParallelJob<T> : ChunkJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static ParallelJob<T>? _cached;
        public Job<T> Job;

        public static ParallelJob<T> ForThisThread() => _cached ??= new ParallelJob<T>();

        public override void RunChunk(int index) => Job.RunTile(index);
    }

    /// <summary>One product; pointers stay pinned by the caller for the duration of the (synchronous) run.</summary>
    private readonly unsafe struct Job<T>(T* a, T* b, T* c, int m, int k, int n, nint rowStride, nint columnStride, int tilesAcross)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void RunTile(int tile)
        {
            int i0 = tile / tilesAcross * TileRows;
            int j0 = tile % tilesAcross * TileColumns;
            int i1 = Math.Min(m, i0 + TileRows);
            int j1 = Math.Min(n, j0 + TileColumns);
            if (Vector512.IsHardwareAccelerated)
            {
                Tile<Simd512<T>, Vector512<T>>(i0, i1, j0, j1);
            }
            else
            {
                Tile<Simd256<T>, Vector256<T>>(i0, i1, j0, j1);
            }
        }

        private void Tile<TOps, TVec>(int i0, int i1, int j0, int j1)
            where TOps : ISimd<TVec, T>
            where TVec : unmanaged
        {
            int w = TOps.Count;
            int j = j0;
            for (; j + 2 * w <= j1; j += 2 * w)
            {
                int i = i0;
                for (; i + 4 <= i1; i += 4) Kernel4x2<TOps, TVec>(i, j);
                for (; i < i1; i++) Kernel1x2<TOps, TVec>(i, j);
            }
            for (; j + w <= j1; j += w)
            {
                for (int i = i0; i < i1; i++) Kernel1x1<TOps, TVec>(i, j);
            }
            if (j < j1)
            {
                for (int i = i0; i < i1; i++) ScalarRow(i, j, j1);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Kernel4x2<TOps, TVec>(int i, int j)
            where TOps : ISimd<TVec, T>
            where TVec : unmanaged
        {
            int w = TOps.Count;
            TVec c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero;
            TVec c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
            T* pa = a + i * rowStride;
            T* pb = b + j;
            nint rs = rowStride, cs = columnStride;
            for (int kk = 0; kk < k; kk++)
            {
                TVec b0 = TOps.Load(pb);
                TVec b1 = TOps.Load(pb + w);
                TVec a0 = TOps.Broadcast(pa[0]);
                c00 = TOps.Fma(a0, b0, c00);
                c01 = TOps.Fma(a0, b1, c01);
                TVec a1 = TOps.Broadcast(pa[rs]);
                c10 = TOps.Fma(a1, b0, c10);
                c11 = TOps.Fma(a1, b1, c11);
                TVec a2 = TOps.Broadcast(pa[2 * rs]);
                c20 = TOps.Fma(a2, b0, c20);
                c21 = TOps.Fma(a2, b1, c21);
                TVec a3 = TOps.Broadcast(pa[3 * rs]);
                c30 = TOps.Fma(a3, b0, c30);
                c31 = TOps.Fma(a3, b1, c31);
                pa += cs;
                pb += n;
            }
            T* pc = c + (nint)i * n + j;
            TOps.Store(c00, pc); TOps.Store(c01, pc + w); pc += n;
            TOps.Store(c10, pc); TOps.Store(c11, pc + w); pc += n;
            TOps.Store(c20, pc); TOps.Store(c21, pc + w); pc += n;
            TOps.Store(c30, pc); TOps.Store(c31, pc + w);
        }

        private void Kernel1x2<TOps, TVec>(int i, int j)
            where TOps : ISimd<TVec, T>
            where TVec : unmanaged
        {
            int w = TOps.Count;
            TVec c0 = TOps.Zero, c1 = TOps.Zero;
            T* pa = a + i * rowStride;
            T* pb = b + j;
            for (int kk = 0; kk < k; kk++)
            {
                TVec a0 = TOps.Broadcast(*pa);
                c0 = TOps.Fma(a0, TOps.Load(pb), c0);
                c1 = TOps.Fma(a0, TOps.Load(pb + w), c1);
                pa += columnStride;
                pb += n;
            }
            T* pc = c + (nint)i * n + j;
            TOps.Store(c0, pc);
            TOps.Store(c1, pc + w);
        }

        private void Kernel1x1<TOps, TVec>(int i, int j)
            where TOps : ISimd<TVec, T>
            where TVec : unmanaged
        {
            TVec c0 = TOps.Zero;
            T* pa = a + i * rowStride;
            T* pb = b + j;
            for (int kk = 0; kk < k; kk++)
            {
                c0 = TOps.Fma(TOps.Broadcast(*pa), TOps.Load(pb), c0);
                pa += columnStride;
                pb += n;
            }
            TOps.Store(c0, c + (nint)i * n + j);
        }

        private void ScalarRow(int i, int j0, int j1)
        {
            T* pc = c + (nint)i * n;
            for (int j = j0; j < j1; j++) pc[j] = T.Zero;
            T* pa = a + i * rowStride;
            T* pb = b;
            for (int kk = 0; kk < k; kk++)
            {
                T aik = *pa;
                for (int j = j0; j < j1; j++) pc[j] = T.FusedMultiplyAdd(aik, pb[j], pc[j]);
                pa += columnStride;
                pb += n;
            }
        }
    }

    private unsafe interface ISimd<TVec, T> where TVec : unmanaged where T : unmanaged
    {
        static abstract int Count { get; }
        static abstract TVec Zero { get; }
        static abstract TVec Load(T* source);
        static abstract void Store(TVec value, T* destination);
        static abstract TVec Broadcast(T value);
        static abstract TVec Fma(TVec a, TVec b, TVec c);
    }

    private readonly unsafe struct Simd512<T> : ISimd<Vector512<T>, T> where T : unmanaged
    {
        public static int Count => Vector512<T>.Count;
        public static Vector512<T> Zero => Vector512<T>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(T* source) => Vector512.Load(source);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<T> value, T* destination) => value.Store(destination);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Broadcast(T value) => Vector512.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
            }
            return Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }
    }

    private readonly unsafe struct Simd256<T> : ISimd<Vector256<T>, T> where T : unmanaged
    {
        public static int Count => Vector256<T>.Count;
        public static Vector256<T> Zero => Vector256<T>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(T* source) => Vector256.Load(source);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<T> value, T* destination) => value.Store(destination);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
            }
            return Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }
    }
}
