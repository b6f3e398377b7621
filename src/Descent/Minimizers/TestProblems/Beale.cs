using System.Numerics;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Beale (MGH #5), extended over pairs: sum of (1.5 - x1(1 - x2))^2 + (2.25 - x1(1 - x2^2))^2 + (2.625 - x1(1 - x2^3))^2,
/// from (1, 1, ...); minimum 0 at (3, 0.5, ...). n even.
/// </summary>
public sealed class Beale : TestProblem
{
    /// <inheritdoc />
    public override string Name => "beale";
    /// <inheritdoc />
    public override string Description => "Beale over pairs, start (1, 1, ...), minimum at (3, 0.5)";
    /// <inheritdoc />
    public override string SizeRule => "a positive even number";
    /// <inheritdoc />
    public override bool IsValidSize(int n) => n >= 2 && n % 2 == 0;

    /// <inheritdoc />
    public override void StartPoint<T>(Span<T> x) => x.Fill(T.One);

    /// <inheritdoc />
    public override T Evaluate<T>(ReadOnlySpan<T> x, Span<T> gradient)
    {
        T f = T.Zero;
        T two = C<T>(2);
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            T u = x[i], v = x[i + 1];
            T v2 = v * v, v3 = v2 * v;
            T r1 = C<T>(1.5) - u * (T.One - v);
            T r2 = C<T>(2.25) - u * (T.One - v2);
            T r3 = C<T>(2.625) - u * (T.One - v3);
            f += r1 * r1 + r2 * r2 + r3 * r3;
            gradient[i] = two * (r1 * (v - T.One) + r2 * (v2 - T.One) + r3 * (v3 - T.One));
            gradient[i + 1] = two * (r1 * u + r2 * two * u * v + r3 * C<T>(3) * u * v2);
        }
        return f;
    }
}
