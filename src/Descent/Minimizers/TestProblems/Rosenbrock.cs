using System.Numerics;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Chained Rosenbrock (as scipy.optimize.rosen): f = sum_{i&lt;n-1} 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2,
/// from (-1.2, 1, -1.2, 1, ...); minimum 0 at (1, ..., 1). Any n &gt;= 2.
/// </summary>
public sealed class Rosenbrock : TestProblem
{
    /// <inheritdoc />
    public override string Name => "rosenbrock";
    /// <inheritdoc />
    public override string Description => "sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2, start (-1.2, 1, ...)";
    /// <inheritdoc />
    public override string SizeRule => "at least 2";
    /// <inheritdoc />
    public override bool IsValidSize(int n) => n >= 2;

    /// <inheritdoc />
    public override void StartPoint<T>(Span<T> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = i % 2 == 0 ? C<T>(-1.2) : T.One;
    }

    /// <inheritdoc />
    public override T Evaluate<T>(ReadOnlySpan<T> x, Span<T> gradient)
    {
        T hundred = C<T>(100), two = C<T>(2);
        T f = T.Zero;
        gradient.Clear();
        for (int i = 0; i < x.Length - 1; i++)
        {
            T a = x[i + 1] - x[i] * x[i];
            T b = T.One - x[i];
            f += hundred * a * a + b * b;
            gradient[i] += -C<T>(400) * x[i] * a - two * b;
            gradient[i + 1] += C<T>(200) * a;
        }
        return f;
    }
}
