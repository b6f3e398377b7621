using Descent.Numerics;

namespace Descent.Tests.Numerics;

public class MatrixMultiplyTests
{
    public enum Form { AB, ABt, AtB }

    private static T[] Random<T>(int length, int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var x = new T[length];
        for (int i = 0; i < length; i++) x[i] = T.CreateChecked(random.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Naive triple loop with the same FMA chain order (k ascending), so results must match bit for bit.</summary>
    private static T[] Naive<T>(T[] a, T[] b, int m, int k, int n, Form form) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var c = new T[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int kk = 0; kk < k; kk++)
                {
                    T x = form == Form.AtB ? a[kk * m + i] : a[i * k + kk];
                    T y = form == Form.ABt ? b[j * k + kk] : b[kk * n + j];
                    sum = T.FusedMultiplyAdd(x, y, sum);
                }
                c[i * n + j] = sum;
            }
        }
        return c;
    }

    private static void Product<T>(Form form, T[] a, T[] b, T[] c, int m, int k, int n, int? threads = null) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (form)
        {
            case Form.AB: MatrixMultiply.Multiply<T>(a, b, c, m, k, n, threads); break;
            case Form.ABt: MatrixMultiply.MultiplyTransposeB<T>(a, b, c, m, k, n, threads); break;
            default: MatrixMultiply.MultiplyTransposeA<T>(a, b, c, m, k, n, threads); break;
        }
    }

    public static TheoryData<Form> Forms => new() { Form.AB, Form.ABt, Form.AtB };

    [Theory]
    [MemberData(nameof(Forms))]
    public void FloatMatchesNaiveTripleLoopForOddShapes(Form form)
    {
        var random = new Random(42);
        for (int trial = 0; trial < 120; trial++)
        {
            int m = random.Next(1, 68), k = random.Next(1, 68), n = random.Next(1, 68);
            if (trial < 67) { m = trial + 1; n = 67 - trial; k = (trial * 7) % 67 + 1; }
            var a = Random<float>(m * k, trial);
            var b = Random<float>(k * n, trial + 1000);
            var c = new float[m * n];
            Array.Fill(c, float.NaN);
            Product(form, a, b, c, m, k, n);
            var want = Naive(a, b, m, k, n, form);
            Assert.Equal(want, c);
            // And close to a double-precision reference.
            double maxError = 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int kk = 0; kk < k; kk++)
                        s += (double)(form == Form.AtB ? a[kk * m + i] : a[i * k + kk]) * (form == Form.ABt ? b[j * k + kk] : b[kk * n + j]);
                    maxError = Math.Max(maxError, Math.Abs(s - c[i * n + j]));
                }
            Assert.True(maxError < 1e-4, $"{form} {m}x{k}x{n}: error {maxError}");
        }
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void DoubleMatchesNaiveTripleLoop(Form form)
    {
        int[] sizes = [1, 2, 3, 5, 8, 9, 16, 17, 31, 33, 64, 67];
        foreach (int m in sizes)
            foreach (int n in new[] { 1, 7, 8, 16, 17, 40, 67 })
            {
                int k = (m * 3 + n) % 50 + 1;
                var a = Random<double>(m * k, m);
                var b = Random<double>(k * n, n + 100);
                var c = new double[m * n];
                Product(form, a, b, c, m, k, n);
                Assert.Equal(Naive(a, b, m, k, n, form), c);
            }
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void ResultsAreBitIdenticalForAnyThreadCount(Form form)
    {
        const int m = 130, k = 300, n = 530; // several tiles in both directions, large enough to run in parallel
        var a = Random<float>(m * k, 1);
        var b = Random<float>(k * n, 2);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 8 })
        {
            var c = new float[m * n];
            Product(form, a, b, c, m, k, n, threads);
            if (first is null) first = c;
            else Assert.Equal(first, c);
        }
        Assert.Equal(Naive(a, b, m, k, n, form), first);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void MultiThreadedProductsAllocateNothingPerCall(Form form)
    {
        const int m = 130, k = 300, n = 530;
        var a = Random<float>(m * k, 1);
        var b = Random<float>(k * n, 2);
        var c = new float[m * n];
        for (int i = 0; i < 5; i++) Product(form, a, b, c, m, k, n, 2);
        // Tiered JIT may allocate while recompiling hot methods (seen under load); a steady state allocates nothing.
        long allocated = long.MaxValue;
        for (int window = 0; window < 4 && allocated != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) Product(form, a, b, c, m, k, n, 2);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ZeroInnerDimensionGivesZeros()
    {
        var c = new float[6];
        Array.Fill(c, 5f);
        MatrixMultiply.Multiply<float>([], [], c, 2, 0, 3);
        Assert.All(c, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void RejectsShortSpansAndOverlap()
    {
        var a = new float[6];
        var b = new float[6];
        Assert.Throws<ArgumentException>(() => MatrixMultiply.Multiply<float>(a, b, new float[3], 2, 3, 2));
        Assert.Throws<ArgumentException>(() => MatrixMultiply.Multiply<float>(a.AsSpan(0, 5), b, new float[4], 2, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixMultiply.Multiply<float>(a, b, new float[4], -1, 3, 2));
        var shared = new float[12];
        Assert.Throws<ArgumentException>(() => MatrixMultiply.Multiply<float>(shared.AsSpan(0, 6), b, shared.AsSpan(4, 4), 2, 3, 2));
    }
}
