using Descent.Minimizers.TestProblems;
using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>
/// The objectives and drivers the optimizer tests share. Rosenbrock's function is the library's
/// <see cref="Descent.Minimizers.TestProblems.Rosenbrock"/> (the L-BFGS suite's), so every test minimizes the same one.
/// </summary>
internal static class TestObjectives
{
    private static readonly Rosenbrock RosenbrockProblem = new();

    /// <summary>An objective: value at <c>x</c>, gradient into <c>gradient</c>.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>A schedule that reads its values from a list (the last one repeats).</summary>
    internal sealed record ListSchedule(double[] Values) : Descent.Schedules.ISchedule
    {
        public double At(long step) => Values[Math.Min(step, Values.Length - 1)];
    }

    /// <summary>Parameters in [0.5, 1.5) and gradients in [-0.5, 0.5) of length <paramref name="n"/>, from <paramref name="seed"/>.</summary>
    public static (double[] Value, double[] Grad) RandomBuffers(int n, int seed)
    {
        var r = new Random(seed);
        return (Enumerable.Range(0, n).Select(_ => 0.5 + r.NextDouble()).ToArray(), Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray());
    }

    /// <summary>Cosine decay of the learning-rate factor from 1 to 0 over <see cref="Steps"/> (a minimal <see cref="ISchedule"/>).</summary>
    internal sealed record Cosine(long Steps) : Descent.Schedules.ISchedule
    {
        public double At(long step) => 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, Steps) / Steps));
    }

    /// <summary>f(x) = 0.5 (x0 - 1)² + 5 (x1 + 2)²: two coordinates, curvatures 1 and 10, minimum at (1, -2).</summary>
    public static double TwoCurvatures(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = x[0] - 1;
        g[1] = 10 * (x[1] + 2);
        return 0.5 * (x[0] - 1) * (x[0] - 1) + 5 * (x[1] + 2) * (x[1] + 2);
    }

    /// <summary>f(x) = 0.5 Σ aᵢ (xᵢ - cᵢ)², aᵢ = i + 1, cᵢ = (i + 1) / 2: any length.</summary>
    public static double Diagonal(ReadOnlySpan<double> x, Span<double> gradient)
    {
        double f = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double a = i + 1, d = x[i] - (i + 1) / 2.0;
            f += 0.5 * a * d * d;
            gradient[i] = a * d;
        }
        return f;
    }

    /// <summary>Rosenbrock's function Σ 100 (xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)², minimum 0 at (1, ..., 1).</summary>
    public static double Rosenbrock(ReadOnlySpan<double> x, Span<double> gradient) => RosenbrockProblem.Evaluate(x, gradient);

    /// <summary>Runs <paramref name="steps"/> steps on one parameter starting at <paramref name="start"/>; returns the final point.</summary>
    public static double[] Minimize(Optimizer<double> optimizer, Objective objective, double[] start, int steps, int[]? shape = null)
    {
        var x = (double[])start.Clone();
        Minimize(optimizer, x, objective, steps, shape);
        return x;
    }

    /// <summary>Registers <paramref name="x"/> (with <paramref name="shape"/>) and runs <paramref name="steps"/> steps; returns the final value.</summary>
    public static double Minimize(Optimizer<double> optimizer, double[] x, Objective f, int steps, int[]? shape = null, Action? afterStep = null)
    {
        var g = new double[x.Length];
        optimizer.AddGroup(new Parameter<double>("x", x, g, shape));
        for (int t = 0; t < steps; t++)
        {
            f(x, g);
            optimizer.Step();
            afterStep?.Invoke();
        }
        return f(x, new double[x.Length]);
    }

    /// <summary>The objective's value at <paramref name="x"/>.</summary>
    public static double Value(Objective objective, double[] x) => objective(x, new double[x.Length]);

    /// <summary>Steps with gradient g = a ∘ (p - c) and returns the parameter after each step.</summary>
    public static double[][] Trace(Optimizer<double> optimizer, double[] start, double[] a, double[] c, int steps, int[]? shape = null)
    {
        var p = (double[])start.Clone();
        var g = new double[p.Length];
        optimizer.AddGroup(new Parameter<double>("p", p, g, shape));
        var result = new double[steps][];
        for (int k = 0; k < steps; k++)
        {
            Gradient(p, a, c, g);
            optimizer.Step();
            result[k] = (double[])p.Clone();
        }
        return result;
    }

    /// <summary>g = a ∘ (p - c).</summary>
    public static void Gradient(double[] p, double[] a, double[] c, double[] g)
    {
        for (int i = 0; i < p.Length; i++) g[i] = a[i] * (p[i] - c[i]);
    }

    /// <summary>The Euclidean norm.</summary>
    public static double Norm(double[] x) => Math.Sqrt(x.Sum(v => v * v));

    /// <summary>Asserts equal up to <paramref name="relative"/> (a reference and the rules may order a few operations differently).</summary>
    public static void Close(double[] expected, double[] actual, string where, double relative = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = relative * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{where}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>Asserts two numbers equal up to <paramref name="relative"/>.</summary>
    public static void AssertClose(double expected, double actual, double relative = 1e-12, string? what = null)
    {
        double tolerance = relative * Math.Max(1e-300, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):R})");
    }
}

/// <summary>Compares doubles within an absolute tolerance (for <c>Assert.Equal</c> on sequences).</summary>
internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(double obj) => 0;
}
