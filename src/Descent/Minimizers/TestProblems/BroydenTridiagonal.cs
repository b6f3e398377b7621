using System.Numerics;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Broyden tridiagonal function (MGH #30): f = sum_i r_i^2 with r_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1
/// (x_0 = x_{n+1} = 0), from (-1, ..., -1); minimum 0. Any n &gt;= 1.
/// </summary>
public sealed class BroydenTridiagonal : TestProblem
{
    /// <inheritdoc />
    public override string Name => "broyden";
    /// <inheritdoc />
    public override string Description => "Broyden tridiagonal, start (-1, ...)";
    /// <inheritdoc />
    public override string SizeRule => "at least 1";
    /// <inheritdoc />
    public override bool IsValidSize(int n) => n >= 1;

    /// <inheritdoc />
    public override void StartPoint<T>(Span<T> x) => x.Fill(-T.One);

    /// <inheritdoc />
    public override T Evaluate<T>(ReadOnlySpan<T> x, Span<T> gradient)
    {
        int n = x.Length;
        T two = C<T>(2), three = C<T>(3), four = C<T>(4);
        T f = T.Zero;
        T rPrev = T.Zero;
        T r = Residual(x, 0, two, three);
        for (int k = 0; k < n; k++)
        {
            T rNext = k + 1 < n ? Residual(x, k + 1, two, three) : T.Zero;
            f += r * r;
            gradient[k] = two * (r * (three - four * x[k]) - rNext - two * rPrev);
            rPrev = r;
            r = rNext;
        }
        return f;
    }

    private static T Residual<T>(ReadOnlySpan<T> x, int i, T two, T three) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T left = i > 0 ? x[i - 1] : T.Zero;
        T right = i + 1 < x.Length ? x[i + 1] : T.Zero;
        return (three - two * x[i]) * x[i] - left - two * right + T.One;
    }
}
