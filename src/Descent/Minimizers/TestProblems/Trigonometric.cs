using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Trigonometric function (MGH #26): f = sum_i r_i^2 with r_i = n - sum_j cos x_j + i (1 - cos x_i) - sin x_i
/// (i from 1), from x_j = 1/n; minimum 0. Any n &gt;= 1. O(n) per evaluation.
/// </summary>
public sealed class Trigonometric : TestProblem
{
    /// <inheritdoc />
    public override string Name => "trigonometric";
    /// <inheritdoc />
    public override string Description => "MGH trigonometric, start 1/n";
    /// <inheritdoc />
    public override string SizeRule => "at least 1";
    /// <inheritdoc />
    public override bool IsValidSize(int n) => n >= 1;

    /// <inheritdoc />
    public override void StartPoint<T>(Span<T> x) => x.Fill(C<T>(1.0 / x.Length));

    /// <inheritdoc />
    public override T Evaluate<T>(ReadOnlySpan<T> x, Span<T> gradient)
    {
        int n = x.Length;
        Scratch<T>.Ensure(n);
        Span<T> sin = Scratch<T>.Sin.AsSpan(0, n), cos = Scratch<T>.Cos.AsSpan(0, n);
        TensorPrimitives.SinCos(x, sin, cos);
        T sumCos = TensorPrimitives.Sum<T>(cos);
        T f = T.Zero, sumR = T.Zero;
        T nn = C<T>(n);
        for (int i = 0; i < n; i++)
        {
            T r = nn - sumCos + C<T>(i + 1) * (T.One - cos[i]) - sin[i];
            f += r * r;
            sumR += r;
            gradient[i] = r; // r_i, finished below
        }
        T two = C<T>(2);
        for (int i = 0; i < n; i++)
        {
            gradient[i] = two * (sin[i] * sumR + gradient[i] * (C<T>(i + 1) * sin[i] - cos[i]));
        }
        return f;
    }

    /// <summary>Per-thread sin and cos buffers, so evaluation allocates nothing after the first call and is thread-safe.</summary>
    private static class Scratch<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static T[]? _sin;
        [ThreadStatic] private static T[]? _cos;

        public static T[] Sin => _sin!;
        public static T[] Cos => _cos!;

        public static void Ensure(int n)
        {
            if (_sin is null || _sin.Length < n)
            {
                _sin = new T[n];
                _cos = new T[n];
            }
        }
    }
}
