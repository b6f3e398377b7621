using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>
/// Every optimizer of the catalog, built from its text form, converges on two classic problems:
/// a diagonal quadratic 0.5·Σ aᵢxᵢ² (curvatures 1…10, held as a 2×2 matrix so Muon orthogonalizes it) from x = 1, and the
/// Rosenbrock function (1 - x)² + 100(y - x²)² from (-1.2, 1) (<see cref="TestObjectives.Rosenbrock"/>). The assertion is the distance to the minimizer (0, resp. (1, 1))
/// after the stated number of steps; sign-like methods (Lion, Muon) with a constant rate stop within about one step of it, so
/// their tolerance is of the order of their rate. Schedule-free optimizers are measured at their evaluation point x.
/// </summary>
public class CatalogConvergenceTests
{
    private static readonly double[] Curvatures = [1, 2, 5, 10];

    // name, text, steps, tolerance on the distance to the minimizer: each definition's Quadratic and Rosenbrock checks.
    public static TheoryData<string, string, int, double> Quadratic => Checks(d => d.Quadratic);

    public static TheoryData<string, string, int, double> Rosenbrock => Checks(d => d.Rosenbrock);

    private static TheoryData<string, string, int, double> Checks(Func<OptimizerDefinition, ConvergenceCheck> check)
    {
        var data = new TheoryData<string, string, int, double>();
        foreach (var d in OptimizerCatalog.All)
        {
            var c = check(d);
            data.Add(d.Name, c.Text, c.Steps, c.Tolerance);
        }
        return data;
    }

    [Fact]
    public void EachCheckRunsItsOwnEntry()
    {
        foreach (var d in OptimizerCatalog.All)
        {
            Assert.Equal(d.Name, OptimizerCatalog.Parse(d.Quadratic.Text).Name);
            Assert.Equal(d.Name, OptimizerCatalog.Parse(d.Rosenbrock.Text).Name);
        }
    }

    [Theory]
    [MemberData(nameof(Quadratic))]
    public void ConvergesOnTheQuadratic(string name, string text, int steps, double tolerance)
    {
        var x = new double[] { 1, 1, 1, 1 };
        var g = new double[4];
        double distance = Run(text, x, g, [2, 2], steps, () => { for (int i = 0; i < 4; i++) g[i] = Curvatures[i] * x[i]; },
            () => Math.Sqrt(x.Sum(v => v * v)));
        Assert.True(distance < tolerance, $"{name}: ‖x‖ = {distance:G3} after {steps} steps (tolerance {tolerance:G3})");
    }

    [Theory]
    [MemberData(nameof(Rosenbrock))]
    public void ConvergesOnRosenbrock(string name, string text, int steps, double tolerance)
    {
        var x = new double[] { -1.2, 1 };
        var g = new double[2];
        double distance = Run(text, x, g, [2], steps, () => TestObjectives.Rosenbrock(x, g), () => Math.Sqrt((x[0] - 1) * (x[0] - 1) + (x[1] - 1) * (x[1] - 1)));
        Assert.True(distance < tolerance, $"{name}: ‖x - (1, 1)‖ = {distance:G3} after {steps} steps (tolerance {tolerance:G3})");
    }

    private static double Run(string text, double[] x, double[] g, int[] shape, int steps, Action gradient, Func<double> distance)
    {
        var optimizer = OptimizerCatalog.Create<double>(text);
        optimizer.AddGroup([new Parameter<double>("x", x, g, shape)]);
        for (int t = 0; t < steps; t++)
        {
            gradient();
            optimizer.Step();
        }
        if (optimizer.Rules.Any(r => r is Descent.Optimizers.Rules.ScaleByScheduleFree<double>)) optimizer.SwitchToEvaluation();
        double d = distance();
        Assert.True(double.IsFinite(d), $"{text} diverged");
        return d;
    }
}
