using Descent.Minimizers;
using Descent.Minimizers.TestProblems;
using Descent.Numerics;

namespace Descent.Tests.Minimizers;

public class LbfgsTests
{
    private static readonly LbfgsOptions Tight = new() { GradientTolerance = 1e-6, FunctionTolerance = 1e-14 };

    public static TheoryData<string, int> ConvergenceCases() => new()
    {
        { "rosenbrock", 2 }, { "rosenbrock", 20 }, { "powell", 8 }, { "beale", 2 }, { "himmelblau", 2 },
        { "trigonometric", 10 }, { "broyden", 50 }, { "quadratic", 10 },
    };

    [Theory]
    [MemberData(nameof(ConvergenceCases))]
    public void ConvergesOnEachTestProblem(string name, int n)
    {
        var problem = TestProblem.Find(name)!;
        double[] x = problem.StartPoint<double>(n);
        var result = Lbfgs.Minimize<double>(problem.Evaluate, x, Tight);
        Assert.True(result.Converged, $"{name}: {result}");
        Assert.True(result.GradientNorm <= 1e-3, $"{name}: {result}");
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        // Trigonometric has a local minimum at 2.8e-5 for n = 10 (MGH); Broyden tridiagonal's is 0.
        Assert.True(result.Value < (name == "trigonometric" ? 3e-5 : 1e-9), $"{name}: {result}");
        var gradient = new double[n];
        Assert.Equal(result.Value, problem.Evaluate<double>(x, gradient));
    }

    [Fact]
    public void RosenbrockReachesTheMinimizer()
    {
        var problem = new Rosenbrock();
        double[] x = problem.StartPoint<double>(2);
        var result = Lbfgs.Minimize<double>(problem.Evaluate, x, Tight);
        Assert.Equal(TerminationReason.ConvergedGradient, result.Reason);
        Assert.Equal(1.0, x[0], 1e-6);
        Assert.Equal(1.0, x[1], 1e-6);
    }

    [Theory]
    [InlineData(LineSearchKind.StrongWolfe)]
    [InlineData(LineSearchKind.Armijo)]
    public void FloatConverges(LineSearchKind lineSearch)
    {
        var problem = new Rosenbrock();
        float[] x = problem.StartPoint<float>(4);
        var result = Lbfgs.Minimize<float>(problem.Evaluate, x,
            new LbfgsOptions { LineSearch = lineSearch, GradientTolerance = 1e-3, MaxIterations = 2000 });
        Assert.True(result.Converged || result.Reason == TerminationReason.LineSearchFailed, result.ToString());
        Assert.All(x, v => Assert.InRange(v, 0.99f, 1.01f));
    }

    [Fact]
    public void ArmijoBacktrackingConverges()
    {
        var problem = new Beale();
        double[] x = problem.StartPoint<double>(2);
        var result = Lbfgs.Minimize<double>(problem.Evaluate, x, Tight with { LineSearch = LineSearchKind.Armijo });
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(3.0, x[0], 1e-4);
        Assert.Equal(0.5, x[1], 1e-4);
    }

    [Fact]
    public void NoLineSearchOnAQuadraticConverges()
    {
        // Unit steps are exact enough on a well-conditioned quadratic: f = sum (i + 1) x_i^2 / 2.
        double[] x = [1, 1, 1];
        var result = Lbfgs.Minimize<double>(Quadratic, x, Tight with { LineSearch = LineSearchKind.None });
        Assert.True(result.Converged, result.ToString());
        Assert.All(x, v => Assert.Equal(0, v, 1e-6));
    }

    [Fact]
    public void ZeroGradientAtTheStartStopsAtOnce()
    {
        double[] x = [0, 0, 0];
        var result = Lbfgs.Minimize<double>(Quadratic, x);
        Assert.Equal(TerminationReason.ConvergedGradient, result.Reason);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(1, result.Evaluations);
        Assert.Equal([0.0, 0, 0], x);
    }

    [Theory]
    [InlineData(LineSearchKind.StrongWolfe, double.NaN)]
    [InlineData(LineSearchKind.StrongWolfe, double.PositiveInfinity)]
    [InlineData(LineSearchKind.Armijo, double.NaN)]
    [InlineData(LineSearchKind.None, double.PositiveInfinity)]
    public void NonFiniteObjectiveMidRunReturnsTheLastFiniteIterate(LineSearchKind lineSearch, double bad)
    {
        var problem = new Rosenbrock();
        int calls = 0;
        double[] lastAccepted = [];
        ValueAndGradient<double> objective = (x, g) =>
        {
            calls++;
            double f = problem.Evaluate(x, g);
            return calls > 6 ? bad : f;
        };
        double[] x = problem.StartPoint<double>(4);
        var result = Lbfgs.Minimize(objective, x, new LbfgsOptions { LineSearch = lineSearch });
        Assert.Equal(TerminationReason.NonFiniteValue, result.Reason);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        Assert.True(double.IsFinite(result.Value));
        var gradient = new double[4];
        Assert.Equal(result.Value, problem.Evaluate<double>(x, gradient));
        Assert.True(result.Value < 48.4);
    }

    [Fact]
    public void NonFiniteStartValueIsReported()
    {
        double[] x = [1, 2];
        var result = Lbfgs.Minimize<double>((_, g) => { g.Fill(1); return double.NaN; }, x);
        Assert.Equal(TerminationReason.NonFiniteValue, result.Reason);
        Assert.Equal([1.0, 2], x);
    }

    [Fact]
    public void InfinityInARegionIsAvoided()
    {
        // f = (x - 3)^2, but +inf for x > 2: the search must back off and stop with a finite iterate.
        double[] x = [0];
        var result = Lbfgs.Minimize<double>((p, g) =>
        {
            g[0] = 2 * (p[0] - 3);
            return p[0] > 2 ? double.PositiveInfinity : (p[0] - 3) * (p[0] - 3);
        }, x);
        Assert.True(result.Reason is TerminationReason.NonFiniteValue or TerminationReason.LineSearchFailed, result.ToString());
        Assert.InRange(x[0], 1.0, 2.0);
        Assert.True(double.IsFinite(result.Value));
    }

    [Theory]
    [InlineData(LineSearchKind.StrongWolfe)]
    [InlineData(LineSearchKind.Armijo)]
    public void CollapsingBracketIsALineSearchFailure(LineSearchKind lineSearch)
    {
        // The gradient has the wrong sign: every step along -g goes uphill, so the bracket shrinks to nothing.
        double[] x = [1, -2];
        var result = Lbfgs.Minimize<double>((p, g) =>
        {
            g[0] = -2 * p[0];
            g[1] = -2 * p[1];
            return p[0] * p[0] + p[1] * p[1];
        }, x, new LbfgsOptions { LineSearch = lineSearch });
        Assert.Equal(TerminationReason.LineSearchFailed, result.Reason);
        Assert.Equal([1.0, -2], x);
        Assert.Equal(5, result.Value);
        Assert.Equal(0, result.Iterations);
    }

    [Fact]
    public void SteepObjectiveConverges()
    {
        // 1000 cosh(x_i) from x = 700: values near 1e306, trial steps overflow to +inf.
        double[] x = [700, -650];
        var result = Lbfgs.Minimize<double>((p, g) =>
        {
            double f = 0;
            for (int i = 0; i < p.Length; i++) { f += 1000 * Math.Cosh(p[i]); g[i] = 1000 * Math.Sinh(p[i]); }
            return f;
        }, x, new LbfgsOptions { GradientTolerance = 1e-6 });
        Assert.True(result.Converged || result.Reason == TerminationReason.LineSearchFailed, result.ToString());
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        Assert.True(result.Value < 1e300, result.ToString());
    }

    [Fact]
    public void BadlyScaledObjectiveConverges()
    {
        // f = 1e8 (x0 - 1)^2 + 1e-4 (x1 - 1)^2 from (0, 0): curvatures 12 orders apart.
        double[] x = [0, 0];
        var result = Lbfgs.Minimize<double>((p, g) =>
        {
            g[0] = 2e8 * (p[0] - 1);
            g[1] = 2e-4 * (p[1] - 1);
            return 1e8 * (p[0] - 1) * (p[0] - 1) + 1e-4 * (p[1] - 1) * (p[1] - 1);
        }, x, new LbfgsOptions { GradientTolerance = 1e-9, FunctionTolerance = 0 });
        Assert.True(result.Converged || result.Reason == TerminationReason.LineSearchFailed, result.ToString());
        Assert.Equal(1.0, x[0], 1e-6);
        Assert.Equal(1.0, x[1], 1e-3);
    }

    [Fact]
    public void LimitsAreReported()
    {
        var problem = new Rosenbrock();
        double[] x = problem.StartPoint<double>(10);
        var byIterations = Lbfgs.Minimize<double>(problem.Evaluate, x, new LbfgsOptions { MaxIterations = 5 });
        Assert.Equal(TerminationReason.IterationLimit, byIterations.Reason);
        Assert.Equal(5, byIterations.Iterations);
        x = problem.StartPoint<double>(10);
        var byEvaluations = Lbfgs.Minimize<double>(problem.Evaluate, x, new LbfgsOptions { MaxEvaluations = 7 });
        Assert.Equal(TerminationReason.EvaluationLimit, byEvaluations.Reason);
        Assert.True(byEvaluations.Evaluations <= 7);
        foreach (var lineSearch in new[] { LineSearchKind.StrongWolfe, LineSearchKind.Armijo, LineSearchKind.None })
        {
            for (int budget = 1; budget <= 40; budget++)
            {
                x = problem.StartPoint<double>(10);
                var r = Lbfgs.Minimize<double>(problem.Evaluate, x, new LbfgsOptions { MaxEvaluations = budget, LineSearch = lineSearch });
                Assert.True(r.Evaluations <= budget, $"{lineSearch} budget {budget}: {r}");
                Assert.Equal(TerminationReason.EvaluationLimit, r.Reason);
            }
        }
    }

    [Fact]
    public void ResultsAreTheSameRunAfterRunAndFromSeveralThreadsAtOnce()
    {
        var problem = new BroydenTridiagonal();
        double[] a = problem.StartPoint<double>(9000);
        var ra = Lbfgs.Minimize<double>(problem.Evaluate, a, Tight);
        double[] b = problem.StartPoint<double>(9000);
        var rb = Lbfgs.Minimize<double>(problem.Evaluate, b, Tight);
        // And concurrently from several threads at once.
        var parallel = new double[4][];
        Parallel.For(0, 4, i =>
        {
            parallel[i] = problem.StartPoint<double>(9000);
            Lbfgs.Minimize<double>(problem.Evaluate, parallel[i], Tight);
        });
        Assert.Equal(ra, rb);
        Assert.Equal(a, b);
        Assert.All(parallel, p => Assert.Equal(a, p));
    }


    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { HistorySize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { MaxIterations = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { MaxEvaluations = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { GradientTolerance = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { FunctionTolerance = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { SufficientDecrease = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { Curvature = double.PositiveInfinity });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsOptions { HistorySize = -3 });
        Assert.Equal("HistorySize", e.ParamName);
        double[] x = [1, 2];
        Assert.Throws<ArgumentException>(() => Lbfgs.Minimize<double>(Quadratic, x, new LbfgsOptions { SufficientDecrease = 0.5, Curvature = 0.4 }));
        Assert.Equal([1.0, 2], x);
        Assert.Throws<ArgumentException>(() => Lbfgs.Minimize<double>(Quadratic, Span<double>.Empty));
        double[] bad = [1, double.NaN];
        Assert.Throws<ArgumentException>(() => Lbfgs.Minimize<double>(Quadratic, bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TorchLbfgsOptions { LearningRate = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TorchLbfgsOptions { MaxIterations = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TorchLbfgsOptions { HistorySize = 0 });
        Assert.Equal(25, new TorchLbfgsOptions { MaxIterations = 20 }.MaxEvaluations);
    }

    [Fact]
    public void TestProblemGradientsMatchFiniteDifferences()
    {
        var random = new Random(3);
        foreach (var problem in TestProblem.All)
        {
            int n = problem.IsValidSize(8) ? 8 : 4;
            double[] x = problem.StartPoint<double>(n);
            for (int i = 0; i < n; i++) x[i] += 0.1 * random.NextDouble();
            var g = new double[n];
            var scratch = new double[n];
            double f0 = problem.Evaluate<double>(x, g);
            for (int i = 0; i < n; i++)
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
                double keep = x[i];
                x[i] = keep + h; double fp = problem.Evaluate<double>(x, scratch);
                x[i] = keep - h; double fm = problem.Evaluate<double>(x, scratch);
                x[i] = keep;
                double fd = (fp - fm) / (2 * h);
                // Rounding in f (about 1e-15 |f|) divided by h, plus the truncation error of the central difference.
                double allowed = 1e-14 * Math.Max(1, Math.Abs(f0)) / h + 1e-5 * Math.Max(1, Math.Abs(g[i]));
                Assert.True(Math.Abs(fd - g[i]) <= allowed, $"{problem.Name} g[{i}]: {g[i]} vs {fd}");
            }
        }
    }

    private static double Quadratic(ReadOnlySpan<double> x, Span<double> g)
    {
        double f = 0;
        for (int i = 0; i < x.Length; i++) { g[i] = (i + 1) * x[i]; f += 0.5 * (i + 1) * x[i] * x[i]; }
        return f;
    }
}

public class LbfgsAllocationTests
{
    [Fact]
    public void IterationsDoNotAllocate()
    {
        var problem = new Rosenbrock();
        ValueAndGradient<double> objective = problem.Evaluate;
        long Measure(long iterations)
        {
            double[] x = problem.StartPoint<double>(50);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = Lbfgs.Minimize(objective, x, new LbfgsOptions { MaxIterations = iterations, GradientTolerance = 0, FunctionTolerance = 0 });
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(iterations, result.Iterations);
            return bytes;
        }
        Measure(5); // warm up (JIT, statics)
        // A run of 200 iterations allocates what a run of 10 does (the buffers sized once): no allocation per iteration.
        // The runtime may allocate on this thread while it recompiles a hot method (seen once under load), so a few pairs
        // are measured; an allocation per iteration would make every pair differ.
        long shortRun = 0, longRun = -1;
        for (int attempt = 0; attempt < 5 && shortRun != longRun; attempt++)
        {
            shortRun = Measure(10);
            longRun = Measure(200);
        }
        Assert.Equal(shortRun, longRun);
    }

    [Fact]
    public void TorchStepsDoNotAllocate()
    {
        var problem = new Rosenbrock();
        ValueAndGradient<double> closure = problem.Evaluate;
        double[] x = problem.StartPoint<double>(10);
        var optimizer = new TorchLbfgs<double>(10, new TorchLbfgsOptions { HistorySize = 5, StrongWolfe = true, GradientTolerance = 0, ChangeTolerance = 0 });
        optimizer.Step(x, closure);
        Assert.Equal(0, SteadyStateAllocation.Measure(() => optimizer.Step(x, closure), calls: 1));
    }
}
