using Descent.Numerics;
using Descent.Optimizers;
using Descent.Schedules;
using static Descent.Tests.Optimizers.TestObjectives;

namespace Descent.Tests.Optimizers;

public class MuonTests
{
    private const double A = 3.4445, B = -4.7750, C = 2.0315;

    private sealed class CosineFactor(long steps) : ISchedule
    {
        public double At(long step) => 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, steps) / steps));
    }

    // Reference (Jordan et al. 2024, muon.py: muon_update + zeropower_via_newtonschulz5) specialised by hand to a single-row
    // or single-column matrix: X X^T (or X^T X) is the scalar s = |x|², so each quintic iteration is x <- (a + b s + c s²) x.
    private static double[] ReferenceVectorMuon(double[] start, Func<double[], double[]> gradient, int steps, double lr, double mu,
        double wd, double shapeScale)
    {
        var p = (double[])start.Clone();
        var m = new double[p.Length];
        for (int t = 0; t < steps; t++)
        {
            var g = gradient(p);
            var u = new double[p.Length];
            double norm = 0;
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = mu * m[i] + (1 - mu) * g[i];
                u[i] = (1 - mu) * g[i] + mu * m[i]; // Nesterov: lerp(g, m, mu)
                norm += u[i] * u[i];
            }
            double f = 1 / (Math.Sqrt(norm) + 1e-7);
            double s = 0;
            for (int i = 0; i < p.Length; i++) { u[i] *= f; s += u[i] * u[i]; }
            for (int k = 0; k < 5; k++)
            {
                double factor = A + B * s + C * s * s;
                s *= factor * factor;
                for (int i = 0; i < p.Length; i++) u[i] *= factor;
            }
            for (int i = 0; i < p.Length; i++) p[i] = p[i] * (1 - lr * wd) - lr * shapeScale * u[i];
        }
        return p;
    }

    // Reference AdamW branch (muon.py adam_update with decoupled decay p *= 1 - lr wd).
    private static double[] ReferenceAdam(double[] start, Func<double[], double[]> gradient, int steps, double lr, double b1, double b2, double eps, double wd)
    {
        var p = (double[])start.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= steps; t++)
        {
            var g = gradient(p);
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double u = m[i] / (1 - Math.Pow(b1, t)) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
                p[i] = p[i] * (1 - lr * wd) - lr * u;
            }
        }
        return p;
    }

    private static double[] Gradient(double[] p) => [p[0] - 0.5, 2 * (p[1] - 1), 3 * (p[2] - 1.5)];

    private static double[] Run(Optimizer<double> opt, double[] start, int[] shape, int steps, bool adamGroup = false)
    {
        var p = (double[])start.Clone();
        var g = new double[p.Length];
        var group = opt.AddGroup(new Parameter<double>("p", p, g, shape));
        if (adamGroup) group.Set(HyperparameterKey.UseMuon, 0);
        for (int t = 0; t < steps; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
        return p;
    }

    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(2, 1, 3)]
    [InlineData(3, 1, 3)]
    [InlineData(3, 3, 1)]
    public void FirstStepsOfARowOrColumnMatchTheHandReducedIteration(int steps, int rows, int cols)
    {
        double[] start = [2.0, -1.0, 0.25];
        double scale = Math.Sqrt(Math.Max(1.0, (double)rows / cols));
        var want = ReferenceVectorMuon(start, Gradient, steps, 0.02, 0.95, 0.1, scale);
        var got = Run(Optim.Muon<double>(weightDecay: 0.1), start, [rows, cols], steps);
        for (int i = 0; i < 3; i++) AssertClose(want[i], got[i], 1e-12, $"p[{i}]");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void VectorsAndGroupsMarkedAdamwUseTheAuxiliaryAdamw(int steps, bool matrixInAdamGroup)
    {
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceAdam(start, Gradient, steps, 3e-4, 0.9, 0.95, 1e-10, 0.1);
        int[] shape = matrixInAdamGroup ? [1, 3] : [3];
        var got = Run(Optim.Muon<double>(weightDecay: 0.1), start, shape, steps, matrixInAdamGroup);
        for (int i = 0; i < 3; i++) AssertClose(want[i], got[i], 1e-12, $"p[{i}]");
    }

    [Fact]
    public void A4dKernelIsOrthogonalizedAsOutByRestAndScaledByItsLastTwoDimensions()
    {
        // Shape [1, 1, 3, 1]: flattened to a 1 × 3 row (so the hand-reduced row iteration applies); scale sqrt(max(1, 3 / 1)).
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceVectorMuon(start, Gradient, 2, 0.02, 0.95, 0.0, Math.Sqrt(3));
        var got = Run(Optim.Muon<double>(), start, [1, 1, 3, 1], 2);
        for (int i = 0; i < 3; i++) AssertClose(want[i], got[i], 1e-12, $"p[{i}]");
    }

    [Fact]
    public void PerGroupAdamLrAndWeightDecay()
    {
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceAdam(start, Gradient, 3, 1e-3, 0.9, 0.95, 1e-10, 0.2);
        var opt = Optim.Muon<double>();
        opt.AddGroup(new Parameter<double>("w", new double[4], new double[4], [2, 2])); // a Muon group with the defaults
        var p = (double[])start.Clone();
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("b", p, g)).Set(HyperparameterKey.AdamLearningRate, 1e-3).Set(HyperparameterKey.WeightDecay, 0.2);
        for (int t = 0; t < 3; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
        for (int i = 0; i < 3; i++) AssertClose(want[i], p[i], 1e-12, $"p[{i}]");
    }

    [Fact]
    public void OneNewtonSchulzIterationOnADiagonalMatrixIsTheQuinticPolynomial()
    {
        double[] m = [3, 0, 0, 4];
        NewtonSchulz.Orthogonalize(m, 2, 2, 1, new double[NewtonSchulz.ScratchLength(2, 2)]);
        double x0 = 3 / (5 + 1e-7), x1 = 4 / (5 + 1e-7);
        AssertClose(A * x0 + B * Math.Pow(x0, 3) + C * Math.Pow(x0, 5), m[0], 1e-14, "m00");
        AssertClose(A * x1 + B * Math.Pow(x1, 3) + C * Math.Pow(x1, 5), m[3], 1e-14, "m11");
        Assert.Equal(0.0, m[1]);
        Assert.Equal(0.0, m[2]);
    }

    [Fact]
    public void TallMatricesAreOrthogonalizedThroughTheirTransposeAndRowsBecomeNearlyOrthonormal()
    {
        var wide = new double[15];
        for (int i = 0; i < 15; i++) wide[i] = Math.Sin(1.7 * i + 0.3) + (i % 5 == i / 5 ? 2 : 0);
        var tall = new double[15];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) tall[j * 3 + i] = wide[i * 5 + j];
        var scratch = new double[NewtonSchulz.ScratchLength(3, 5)];
        NewtonSchulz.Orthogonalize(wide, 3, 5, 5, scratch);
        NewtonSchulz.Orthogonalize(tall, 5, 3, 5, scratch);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) Assert.Equal(wide[i * 5 + j], tall[j * 3 + i]);
        for (int i = 0; i < 3; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                double dot = 0;
                for (int j = 0; j < 5; j++) dot += wide[i * 5 + j] * wide[k * 5 + j];
                // The quintic iteration pushes singular values into roughly [0.7, 1.2], not exactly to 1.
                Assert.True(i == k ? dot is > 0.45 and < 1.5 : Math.Abs(dot) < 0.35, $"(X X^T)[{i},{k}] = {dot}");
            }
        }
    }

    [Fact]
    public void ConvergesOnAMatrixQuadratic()
    {
        double f0 = Diagonal(new double[12], new double[12]);
        double f = Minimize(Optim.Muon<double>(learningRate: 0.1, learningRateSchedule: new CosineFactor(500)), new double[12], Diagonal, 500, [4, 3]);
        Assert.True(f < 1e-6 * f0, $"f = {f}");
    }

    [Fact]
    public void ConvergesOnRosenbrockAsARowMatrix()
    {
        double f = Minimize(Optim.Muon<double>(learningRate: 0.05, learningRateSchedule: new CosineFactor(2000)), [-1.2, 1.0], Rosenbrock, 2000, [1, 2]);
        Assert.True(f < 1e-6, $"f = {f}");
    }

    [Fact]
    public void SaveAndLoadResumeBitForBit()
    {
        double[] RunTwice(bool reload)
        {
            var opt = Optim.Muon<double>(weightDecay: 0.01);
            var p = new double[12];
            var g = new double[12];
            opt.AddGroup(new Parameter<double>("w", p, g, [4, 3]));
            for (int t = 0; t < 5; t++) { Diagonal(p, g); opt.Step(); }
            if (reload)
            {
                var s = opt.SaveState();
                var values = (double[])p.Clone();
                opt = Optim.Muon<double>(weightDecay: 0.01);
                p = values;
                opt.AddGroup(new Parameter<double>("w", p, g, [4, 3]));
                opt.LoadState(s);
            }
            for (int t = 0; t < 5; t++) { Diagonal(p, g); opt.Step(); }
            return p;
        }
        Assert.Equal(RunTwice(false), RunTwice(true));
    }

    [Fact]
    public void FloatFollowsDoubleToFloatRounding()
    {
        var of = Optim.Muon<float>(learningRate: 0.1);
        var od = Optim.Muon<double>(learningRate: 0.1);
        var pf = new float[6]; var gf = new float[6];
        var pd = new double[6]; var gd = new double[6];
        of.AddGroup(new Parameter<float>("w", pf, gf, [2, 3]));
        od.AddGroup(new Parameter<double>("w", pd, gd, [2, 3]));
        for (int t = 0; t < 20; t++)
        {
            for (int i = 0; i < 6; i++) { gf[i] = pf[i] - 1 - i; gd[i] = pd[i] - 1 - i; }
            of.Step();
            od.Step();
        }
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(pf[i] - pd[i]) < 1e-4, $"{pf[i]} vs {pd[i]}");
        Assert.True(pd[5] > 0.5, $"moved toward the target: {pd[5]}");
    }

    [Fact]
    public void InvalidArgumentsNameTheParameter()
    {
        Assert.Equal("momentum", Assert.ThrowsAny<ArgumentException>(() => Optim.Muon<double>(momentum: 1)).ParamName);
        Assert.Equal("newtonSchulzSteps", Assert.ThrowsAny<ArgumentException>(() => Optim.Muon<double>(newtonSchulzSteps: 0)).ParamName);
        Assert.Equal("adamLearningRate", Assert.ThrowsAny<ArgumentException>(() => Optim.Muon<double>(adamLearningRate: double.NaN)).ParamName);
        Assert.Equal("beta2", Assert.ThrowsAny<ArgumentException>(() => Optim.Muon<double>(beta2: 1)).ParamName);
        var opt = Optim.Muon<double>();
        var group = opt.AddGroup(new Parameter<double>("w", new double[4], new double[4], [2, 2]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => group.Set(HyperparameterKey.UseMuon, 0.5));
        Assert.Equal("useMuon", ex.ParamName);
        Assert.Contains("use_muon", ex.Message);
    }

    [Fact]
    public void DefaultsAreTheReferenceOnes()
    {
        var opt = Optim.Muon<double>();
        Assert.Equal("muon", opt.Kind);
        Assert.Equal(0.02, opt.GetDefault(HyperparameterKey.LearningRate).Value);
        Assert.Equal(0.95, opt.GetDefault(HyperparameterKey.Momentum).Value);
        Assert.Equal(3e-4, opt.GetDefault(HyperparameterKey.AdamLearningRate).Value);
        Assert.Equal(1.0, opt.GetDefault(HyperparameterKey.UseMuon).Value);
        Assert.Equal(0.95, opt.GetDefault(HyperparameterKey.Beta2).Value);
        Assert.Equal(1e-10, opt.GetDefault(HyperparameterKey.Epsilon).Value);
    }
}
