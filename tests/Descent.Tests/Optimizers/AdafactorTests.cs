using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

public class AdafactorTests
{
    /// <summary>
    /// Shazeer and Stern 2018, Algorithms 4-5 as Hugging Face transformers' Adafactor: G2 = G² + eps1; beta2_t = 1 - t^-0.8;
    /// R = b R + (1-b) rowmean(G2), C = b C + (1-b) colmean(G2), V = R_i C_j / mean(R) (rank 2) or V = b V + (1-b) G2;
    /// U = G / sqrt(V); U /= max(1, RMS(U) / d); alpha = rho (scale ? max(eps2, RMS(p)) : 1); p -= alpha U (+ wd alpha p).
    /// </summary>
    private static double[] Reference(double[] p0, double[] a, double[] c, int steps, int rows, int cols, double? lr, bool scale,
        double? beta1 = null, double wd = 0, double eps1 = 1e-30, double eps2 = 1e-3, double d = 1.0)
    {
        var p = (double[])p0.Clone();
        int n = p.Length;
        bool factored = rows > 0;
        var R = new double[Math.Max(rows, 0)];
        var C = new double[Math.Max(cols, 0)];
        var V = new double[n];
        var M = new double[n];
        for (int t = 1; t <= steps; t++)
        {
            var g = new double[n];
            TestObjectives.Gradient(p, a, c, g);
            double rmsP = TestObjectives.Norm(p) / Math.Sqrt(n);
            double rho = lr ?? Math.Min(1e-2, 1 / Math.Sqrt(t));
            double alpha = scale ? rho * Math.Max(eps2, rmsP) : rho;
            double beta2 = 1 - Math.Pow(t, -0.8);
            var u = new double[n];
            if (factored)
            {
                for (int i = 0; i < rows; i++)
                {
                    double s = 0;
                    for (int j = 0; j < cols; j++) s += g[i * cols + j] * g[i * cols + j] + eps1;
                    R[i] = beta2 * R[i] + (1 - beta2) * s / cols;
                }
                for (int j = 0; j < cols; j++)
                {
                    double s = 0;
                    for (int i = 0; i < rows; i++) s += g[i * cols + j] * g[i * cols + j] + eps1;
                    C[j] = beta2 * C[j] + (1 - beta2) * s / rows;
                }
                double meanR = R.Average();
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) u[i * cols + j] = g[i * cols + j] / Math.Sqrt(R[i] * C[j] / meanR);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    V[i] = beta2 * V[i] + (1 - beta2) * (g[i] * g[i] + eps1);
                    u[i] = g[i] / Math.Sqrt(V[i]);
                }
            }
            double divisor = Math.Max(1, TestObjectives.Norm(u) / Math.Sqrt(n) / d);
            for (int i = 0; i < n; i++)
            {
                u[i] = alpha * u[i] / divisor;
                if (beta1 is { } b1)
                {
                    M[i] = b1 * M[i] + (1 - b1) * u[i];
                    u[i] = M[i];
                }
                p[i] -= u[i] + wd * alpha * p[i];
            }
        }
        return p;
    }

    [Fact]
    public void ThreeStepsFactoredWithDefaultsMatchHf()
    {
        double[] p0 = [0.5, -1.5, 2.0, 0.1, -0.3, 1.2], a = [1, 3, 0.5, 2, 1, 4], c = [1, 1, 1, 0, 0, 0];
        var got = TestObjectives.Trace(Optim.Adafactor<double>(), p0, a, c, 3, shape: [2, 3]);
        for (int k = 1; k <= 3; k++) TestObjectives.Close(Reference(p0, a, c, k, 2, 3, null, true), got[k - 1], $"step {k}");
    }

    [Fact]
    public void ThreeStepsUnfactoredWithLrFirstMomentAndDecayMatchHf()
    {
        double[] p0 = [0.5, -1.5, 2.0, 0.1], a = [1, 3, 0.5, 2], c = [1, 1, 1, 0];
        var got = TestObjectives.Trace(Optim.Adafactor<double>(0.05, beta1: 0.9, weightDecay: 0.1, scaleParameter: false), p0, a, c, 3);
        for (int k = 1; k <= 3; k++) TestObjectives.Close(Reference(p0, a, c, k, 0, 0, 0.05, false, 0.9, 0.1), got[k - 1], $"step {k}");
    }

    [Fact]
    public void UpdateClippingBoundsTheFirstStepRms()
    {
        // Step 1: beta2_1 = 0, V = G² + eps1, so U = ±1 (RMS 1 = d, not clipped); with d = 0.5 the step halves.
        var p = new[] { 1.0, 1.0 };
        var o = Optim.Adafactor<double>(0.1, scaleParameter: false, clipThreshold: 0.5);
        o.AddGroup(new Parameter<double>("p", p, new[] { 3.0, -7.0 }));
        o.Step();
        TestObjectives.Close([1 - 0.05, 1 + 0.05], p, "p");
    }

    [Fact]
    public void FactoredStateIsSublinearWithHfNames()
    {
        var o = Optim.Adafactor<float>(beta1: 0.9);
        o.AddGroup(new Parameter<float>("w", new float[20000], new float[20000], [100, 200]),
            new Parameter<float>("k", new float[12], new float[12], [2, 2, 3]),
            new Parameter<float>("b", new float[7], new float[7]));
        var buffers = o.StateBuffers.Select(b => (b.ParameterName, b.BufferName, b.Values.Length)).ToArray();
        Assert.Equal([("w", "exp_avg_sq_row", 100), ("w", "exp_avg_sq_col", 200), ("w", "exp_avg", 20000),
            ("k", "exp_avg_sq_row", 4), ("k", "exp_avg_sq_col", 6), ("k", "exp_avg", 12),
            ("b", "exp_avg_sq", 7), ("b", "exp_avg", 7)], buffers);
    }

    [Fact]
    public void BatchedFactoringOfRankThreeEqualsSeparateMatrices()
    {
        double[] p0 = [0.5, -1.5, 2.0, 0.1, -0.3, 1.2, 0.7, 0.2, -0.9, 1.1, 0.4, -2.0], a = [1, 3, 0.5, 2, 1, 4, 1, 2, 3, 1, 0.5, 2], c = new double[12];
        var got = TestObjectives.Trace(Optim.Adafactor<double>(0.1, scaleParameter: false), p0, a, c, 2, shape: [2, 2, 3]);
        // Each [2, 3] slice alone, but the clipping RMS is over the whole parameter: compare the direction slice by slice.
        var first = TestObjectives.Trace(Optim.Adafactor<double>(0.1, scaleParameter: false, clipThreshold: double.PositiveInfinity), p0[..6], a[..6], c[..6], 1, shape: [2, 3]);
        var whole = TestObjectives.Trace(Optim.Adafactor<double>(0.1, scaleParameter: false, clipThreshold: double.PositiveInfinity), p0, a, c, 1, shape: [2, 2, 3]);
        TestObjectives.Close(first[0], whole[0][..6], "slice 0");
        Assert.All(got[1], x => Assert.True(double.IsFinite(x)));
    }

    [Fact]
    public void ConvergesOnAQuadraticWithNoArgumentsAndOnRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.Adafactor<double>(), TestObjectives.TwoCurvatures, [4, 3], 1000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-12, $"f = {TestObjectives.Value(TestObjectives.TwoCurvatures, x)}");
        x = TestObjectives.Minimize(Optim.Adafactor<double>(0.1, beta1: 0.9, scaleParameter: false, learningRateSchedule: new TestObjectives.Cosine(2000)),
            TestObjectives.Rosenbrock, [-1.2, 1], 2000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-10, $"f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
    }

    [Fact]
    public void Validation()
    {
        Assert.Equal("clipThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adafactor<double>(clipThreshold: 0)).ParamName);
        Assert.Equal("decayRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adafactor<double>(decayRate: 0.5)).ParamName);
        Assert.Equal("epsilon1", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adafactor<double>(epsilon1: -1)).ParamName);
        Assert.Equal("epsilon2", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adafactor<double>(epsilon2: double.NaN)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adafactor<double>(beta1: 1)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adafactor<double>(learningRate: -1)).ParamName);
        Assert.Equal("warmupInit", Assert.Throws<ArgumentException>(() => Optim.Adafactor<double>(learningRate: 0.1, warmupInit: true)).ParamName);
    }
}

public class AdafactorRelativeStepTests
{
    [Fact]
    public void RelativeStepWithALearningRateCapsAtItAndExplicitFalseUsesTheConstant()
    {
        // t = 1: U = ±1 (beta2_1 = 0), no parameter scale: the step is rho_1 = min(lr, 1) with the relative step, lr without.
        static double FirstStep(Optimizer<double> o)
        {
            var p = new[] { 1.0 };
            o.AddGroup(new Parameter<double>("p", p, new[] { 2.0 }));
            o.Step();
            return 1 - p[0];
        }
        Assert.Equal(0.5, FirstStep(Optim.Adafactor<double>(0.5, scaleParameter: false, relativeStep: true)), 15);
        Assert.Equal(1.0, FirstStep(Optim.Adafactor<double>(3.0, scaleParameter: false, relativeStep: true)), 15);
        Assert.Equal(3.0, FirstStep(Optim.Adafactor<double>(3.0, scaleParameter: false)), 15);
        Assert.Equal(0.01, FirstStep(Optim.Adafactor<double>(scaleParameter: false, relativeStep: false)), 15);
        Assert.Equal(1e-6, FirstStep(Optim.Adafactor<double>(scaleParameter: false, warmupInit: true)), 15);
    }
}
