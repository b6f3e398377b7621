using Descent.Optimizers;
using Descent.Optimizers.Rules;

namespace Descent.Tests.Optimizers;

public class LionTests
{
    /// <summary>Chen et al. 2023, Algorithm 2: c = b1 m + (1-b1) g; p -= lr (sign(c) + wd p); m = b2 m + (1-b2) g.</summary>
    private static double[][] Reference(double[] p0, double[] a, double[] c, int steps, double lr, double b1, double b2, double wd)
    {
        var p = (double[])p0.Clone();
        var m = new double[p.Length];
        var result = new double[steps][];
        for (int k = 0; k < steps; k++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = a[i] * (p[i] - c[i]);
                double u = Math.Sign(b1 * m[i] + (1 - b1) * g);
                p[i] -= lr * (u + wd * p[i]);
                m[i] = b2 * m[i] + (1 - b2) * g;
            }
            result[k] = (double[])p.Clone();
        }
        return result;
    }

    [Fact]
    public void FirstStepMovesEachCoordinateByLrAgainstTheGradientSign()
    {
        // Step 1 by hand: m = 0, so c = 0.1 g and sign(c) = sign(g): p1 = p0 - lr sign(g); zero gradient: no move.
        var p = new[] { 1.0, -2.0, 0.5 };
        var o = Optim.Lion<double>(learningRate: 0.125);
        o.AddGroup(new Parameter<double>("p", p, new[] { 0.3, -0.1, 0.0 }));
        o.Step();
        Assert.Equal(new[] { 0.875, -1.875, 0.5 }, p);
        Assert.Equal(new[] { 0.003, -0.001, 0.0 }.Select(x => Math.Round(x, 15)), o.StateBuffers.Single().Values.ToArray().Select(x => Math.Round(x, 15)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThreeStepsMatchThePaper(bool fused)
    {
        double[] p0 = [0.5, -1.5, 2.0], a = [1, 3, 0.5], c = [1, 1, 1];
        var o = Optim.Lion<double>(learningRate: 0.1, beta1: 0.9, beta2: 0.99, weightDecay: 0.2);
        o.UseFusedKernels = fused;
        var got = TestObjectives.Trace(o, p0, a, c, 3);
        var want = Reference(p0, a, c, 3, 0.1, 0.9, 0.99, 0.2);
        for (int k = 0; k < 3; k++) TestObjectives.Close(want[k], got[k], $"step {k + 1}");
    }

    [Fact]
    public void ConvergesOnAQuadratic()
    {
        var x = TestObjectives.Minimize(Optim.Lion<double>(0.1, learningRateSchedule: new TestObjectives.Cosine(1000)), TestObjectives.TwoCurvatures, [4, 3], 1000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-8, $"f = {TestObjectives.Value(TestObjectives.TwoCurvatures, x)}");
    }

    [Fact]
    public void ConvergesOnRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.Lion<double>(0.1, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.Rosenbrock, [-1.2, 1], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-5, $"f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)} at ({x[0]}, {x[1]})");
    }

    [Fact]
    public void InvalidArgumentsNameTheParameter()
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lion<double>(learningRate: -1)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lion<double>(beta1: 1)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lion<double>(beta2: double.NaN)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lion<double>(weightDecay: double.PositiveInfinity)).ParamName);
    }

    [Fact]
    public void StateIsOneMomentumBufferAndItHasAFusedKernel()
    {
        var o = Optim.Lion<float>();
        o.AddGroup(new Parameter<float>("w", new float[4], new float[4]));
        Assert.Equal(["exp_avg"], o.StateBuffers.Select(b => b.BufferName));
        Assert.True(o.HasFusedKernel);
        Assert.Equal([HyperparameterKey.LearningRate, HyperparameterKey.WeightDecay, HyperparameterKey.Beta1, HyperparameterKey.Beta2], o.Keys);
    }

    [Fact]
    public void PerGroupWeightDecay()
    {
        var o = Optim.Lion<double>(learningRate: 0.5, weightDecay: 0.5);
        var w = new[] { 2.0 };
        var b = new[] { 2.0 };
        o.AddGroup(new Parameter<double>("w", w, new[] { 1.0 }));
        o.AddGroup(new Parameter<double>("b", b, new[] { 1.0 })).Set(HyperparameterKey.WeightDecay, 0);
        o.Step();
        Assert.Equal(2 - 0.5 * (1 + 0.5 * 2), w[0]);
        Assert.Equal(1.5, b[0]);
    }

    // ---- fused == composed ----

    private static (Optimizer<T> O, Parameter<T>[] P) Build<T>(Func<Optimizer<T>> make, int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var o = make();
        var ps = new Parameter<T>[258];
        for (int n = 0; n <= 257; n++)
        {
            int offset = 1 + n % 3;
            var value = new T[n + offset + 2];
            var grad = new T[n + offset + 2];
            for (int j = 0; j < value.Length; j++) value[j] = T.CreateTruncating(random.NextDouble() * 4 - 2);
            ps[n] = new Parameter<T>($"p{n}", value.AsMemory(offset, n), grad.AsMemory(offset, n));
        }
        o.AddGroup(ps);
        return (o, ps);
    }

    private static void FusedEqualsComposed<T>(Func<Optimizer<T>> make) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var composed = Build(make, 7);
        var fused = Build(make, 7);
        composed.O.UseFusedKernels = false;
        var random = new Random(11);
        for (int step = 0; step < 4; step++)
        {
            for (int i = 0; i < composed.P.Length; i++)
            {
                var gc = composed.P[i].Gradient.Span;
                var gf = fused.P[i].Gradient.Span;
                for (int j = 0; j < gc.Length; j++)
                {
                    // Include exact zeros so sign(0) = 0 is exercised.
                    double r = random.NextDouble();
                    gc[j] = gf[j] = r < 0.05 ? T.Zero : T.CreateTruncating(r * 2 - 1);
                }
            }
            composed.O.Step();
            fused.O.Step();
            for (int i = 0; i < composed.P.Length; i++)
                Assert.True(composed.P[i].Value.Span.SequenceEqual(fused.P[i].Value.Span), $"step {step + 1}: p{i} differs");
            var a = composed.O.StateBuffers.ToArray();
            var b = fused.O.StateBuffers.ToArray();
            for (int i = 0; i < a.Length; i++)
                Assert.True(a[i].Values.Span.SequenceEqual(b[i].Values.Span), $"step {step + 1}: {a[i].ParameterName}.{a[i].BufferName} differs");
        }
    }

    [Fact]
    public void FusedEqualsComposedInDouble() => FusedEqualsComposed(() => Optim.Lion<double>(0.01, weightDecay: 0.1));

    [Fact]
    public void FusedEqualsComposedInDoubleMaximizeNoDecay() => FusedEqualsComposed(() => Optim.Lion<double>(0.01, beta1: 0.5, beta2: 0.9, maximize: true));

    [Fact]
    public void FusedEqualsComposedInFloat() => FusedEqualsComposed(() => Optim.Lion<float>(0.01, weightDecay: 0.1));

    [Fact]
    public void FusedSignKeepsZeroNanAndTinyValuesAsTheRule()
    {
        double[] g = [0.0, -0.0, double.NaN, double.Epsilon, -double.Epsilon, double.MaxValue, -double.MaxValue, 1e-300];
        var expected = g.Select(ScaleByLion<double>.Sign).ToArray();
        Assert.Equal([0.0, -0.0, double.NaN, 1, -1, 1, -1, 1], expected);
        // beta1 = 0 makes c = g, lr = 1: p = 0 - sign(g) for every lane, on the fused path.
        var p = new double[g.Length];
        var o = Optim.Lion<double>(learningRate: 1, beta1: 0);
        o.AddGroup(new Parameter<double>("p", p, (double[])g.Clone()));
        o.Step();
        for (int i = 0; i < g.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(0 + -1.0 * expected[i]) == BitConverter.DoubleToInt64Bits(p[i]) || (double.IsNaN(p[i]) && double.IsNaN(expected[i])), $"lane {i}: {p[i]}");
    }
}

public class LionThreadedParityTests
{
    [Fact]
    public void FusedEqualsComposedOnABufferSplitIntoThreadedChunks()
    {
        int n = Descent.Numerics.FusedLoop.ParallelThreshold + 1234;
        var random = new Random(5);
        var start = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var grad = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] Run(bool fused)
        {
            var p = (double[])start.Clone();
            var o = Optim.Lion<double>(0.01, weightDecay: 0.1);
            o.UseFusedKernels = fused;
            o.AddGroup(new Parameter<double>("p", p, (double[])grad.Clone()));
            for (int k = 0; k < 3; k++) o.Step();
            return p;
        }
        Assert.True(Run(true).AsSpan().SequenceEqual(Run(false)));
    }
}
