using System.Numerics;

namespace Descent.Minimizers.TestProblems;

/// <summary>
/// Badly conditioned quadratic: f = 1/2 sum_i c_i x_i^2 with c_i = 10^(6 i / (n - 1)) (condition number 1e6),
/// from (1, ..., 1); minimum 0 at 0. Any n &gt;= 2.
/// </summary>
public sealed class IllConditionedQuadratic : TestProblem
{
    private double[] _coefficients = [];

    /// <inheritdoc />
    public override string Name => "quadratic";
    /// <inheritdoc />
    public override string Description => "1/2 sum 10^(6 i/(n-1)) x_i^2, condition 1e6, start (1, ...)";
    /// <inheritdoc />
    public override string SizeRule => "at least 2";
    /// <inheritdoc />
    public override bool IsValidSize(int n) => n >= 2;

    /// <inheritdoc />
    public override void StartPoint<T>(Span<T> x) => x.Fill(T.One);

    /// <inheritdoc />
    public override T Evaluate<T>(ReadOnlySpan<T> x, Span<T> gradient)
    {
        int n = x.Length;
        double[] coefficients = _coefficients;
        if (coefficients.Length != n)
        {
            coefficients = new double[n];
            for (int i = 0; i < n; i++) coefficients[i] = Math.Pow(10, 6.0 * i / (n - 1));
            _coefficients = coefficients;
        }
        T f = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T c = C<T>(coefficients[i]);
            gradient[i] = c * x[i];
            f += c * x[i] * x[i];
        }
        return f / C<T>(2);
    }
}
