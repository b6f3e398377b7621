using System.Numerics;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Extended Powell singular function (MGH #22): over blocks of four,
/// (x1 + 10 x2)^2 + 5 (x3 - x4)^2 + (x2 - 2 x3)^4 + 10 (x1 - x4)^4, from (3, -1, 0, 1, ...); minimum 0 at 0
/// with a singular Hessian. n a multiple of 4.
/// </summary>
public sealed class ExtendedPowell : TestProblem
{
    /// <inheritdoc />
    public override string Name => "powell";
    /// <inheritdoc />
    public override string Description => "extended Powell singular, blocks of 4, start (3, -1, 0, 1, ...)";
    /// <inheritdoc />
    public override string SizeRule => "a positive multiple of 4";
    /// <inheritdoc />
    public override bool IsValidSize(int n) => n >= 4 && n % 4 == 0;

    /// <inheritdoc />
    public override void StartPoint<T>(Span<T> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = C<T>((i % 4) switch { 0 => 3, 1 => -1, 2 => 0, _ => 1 });
    }

    /// <inheritdoc />
    public override T Evaluate<T>(ReadOnlySpan<T> x, Span<T> gradient)
    {
        T f = T.Zero;
        T ten = C<T>(10), five = C<T>(5), two = C<T>(2);
        for (int i = 0; i + 3 < x.Length; i += 4)
        {
            T a = x[i] + ten * x[i + 1];
            T b = x[i + 2] - x[i + 3];
            T c = x[i + 1] - two * x[i + 2];
            T d = x[i] - x[i + 3];
            T c2 = c * c, d2 = d * d;
            f += a * a + five * b * b + c2 * c2 + ten * d2 * d2;
            T c3 = C<T>(4) * c2 * c, d3 = C<T>(40) * d2 * d;
            gradient[i] = two * a + d3;
            gradient[i + 1] = C<T>(20) * a + c3;
            gradient[i + 2] = C<T>(10) * b - two * c3;
            gradient[i + 3] = -C<T>(10) * b - d3;
        }
        return f;
    }
}
