using System.Numerics;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Himmelblau, extended over pairs: sum of (x1^2 + x2 - 11)^2 + (x1 + x2^2 - 7)^2, from (1, 1, ...);
/// minimum 0 at four points, e.g. (3, 2). n even.
/// </summary>
public sealed class Himmelblau : TestProblem
{
    /// <inheritdoc />
    public override string Name => "himmelblau";
    /// <inheritdoc />
    public override string Description => "Himmelblau over pairs, start (1, 1, ...), minima e.g. (3, 2)";
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
        T two = C<T>(2), four = C<T>(4);
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            T u = x[i], v = x[i + 1];
            T a = u * u + v - C<T>(11);
            T b = u + v * v - C<T>(7);
            f += a * a + b * b;
            gradient[i] = four * a * u + two * b;
            gradient[i + 1] = two * a + four * b * v;
        }
        return f;
    }
}
