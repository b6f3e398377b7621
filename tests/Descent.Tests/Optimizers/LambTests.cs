using Descent.Optimizers;
using Descent.Optimizers.Rules;

namespace Descent.Tests.Optimizers;

public class LambTests
{
    /// <summary>You et al. 2020, Algorithm 2: r = m̂ / (sqrt(v̂) + eps) + wd p; p -= lr ||p|| / ||r|| r.</summary>
    [Fact]
    public void ThreeStepsMatchThePaper()
    {
        double[] p0 = [0.5, -1.5, 2.0], a = [1, 3, 0.5], c = [1, 1, 1];
        double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-6, wd = 0.01;
        var got = TestObjectives.Trace(Optim.Lamb<double>(lr, b1, b2, eps, wd), p0, a, c, 3);
        var p = (double[])p0.Clone();
        var m = new double[3];
        var v = new double[3];
        for (int t = 1; t <= 3; t++)
        {
            var g = new double[3];
            TestObjectives.Gradient(p, a, c, g);
            var r = new double[3];
            for (int i = 0; i < 3; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                r[i] = m[i] / (1 - Math.Pow(b1, t)) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps) + wd * p[i];
            }
            double ratio = TestObjectives.Norm(p) / TestObjectives.Norm(r);
            for (int i = 0; i < 3; i++) p[i] -= lr * ratio * r[i];
            TestObjectives.Close(p, got[t - 1], $"step {t}");
        }
    }

    [Fact]
    public void TrustRatioOffForAGroupOrZeroWeightsGivesTheAdamwStep()
    {
        var lamb = Optim.Lamb<double>(0.1, epsilon: 1e-8, weightDecay: 0.1);
        var adamw = Optim.AdamW<double>(0.1, epsilon: 1e-8, weightDecay: 0.1);
        adamw.UseFusedKernels = false;
        var (w1, b1, z1) = (new[] { 3.0, -4 }, new[] { 3.0, -4 }, new double[2]);
        var (w2, b2, z2) = (new[] { 3.0, -4 }, new[] { 3.0, -4 }, new double[2]);
        lamb.AddGroup(new Parameter<double>("w", w1, new[] { 0.5, 0.25 }), new Parameter<double>("z", z1, new[] { 0.5, 0.25 }));
        lamb.AddGroup(new Parameter<double>("b", b1, new[] { 0.5, 0.25 })).Set(HyperparameterKey.TrustRatio, 0);
        adamw.AddGroup(new Parameter<double>("w", w2, new[] { 0.5, 0.25 }), new Parameter<double>("b", b2, new[] { 0.5, 0.25 }),
            new Parameter<double>("z", z2, new[] { 0.5, 0.25 }));
        lamb.Step();
        adamw.Step();
        Assert.Equal(b2, b1);           // group with trust_ratio 0: plain AdamW
        Assert.Equal(z2, z1);           // ||p|| = 0: ratio 1
        Assert.NotEqual(w2, w1);        // ||p|| = 5, ||u|| ~ sqrt(2): ratio ~ 3.5
        double ratio = 5 / Math.Sqrt(Math.Pow(1 + 0.1 * 3, 2) + Math.Pow(1 - 0.1 * 4, 2));
        TestObjectives.Close([3 - 0.1 * ratio * 1.3, -4 - 0.1 * ratio * 0.6], w1, "w", 1e-6);
    }

    [Fact]
    public void MaxTrustRatioClamps()
    {
        var p = new[] { 30.0, -40 };
        var o = Optim.Lamb<double>(0.1, maxTrustRatio: 2);
        o.AddGroup(new Parameter<double>("w", p, new[] { 1.0, 1 }));
        o.Step();
        // u = (1, 1) (up to eps), ratio 50 / sqrt(2) clamped to 2.
        TestObjectives.Close([30 - 0.2, -40 - 0.2], p, "p", 1e-6);
        Assert.Equal("maxTrustRatio", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lamb<double>(maxTrustRatio: 0)).ParamName);
    }

    [Fact]
    public void ConvergesOnAQuadraticAndRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.Lamb<double>(0.05, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.TwoCurvatures, [4, 3], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-9);
        x = TestObjectives.Minimize(Optim.Lamb<double>(0.05, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.Rosenbrock, [-1.2, 1], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-5, $"f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
    }

    [Fact]
    public void ValidationAndState()
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lamb<double>(epsilon: double.NaN)).ParamName);
        var o = Optim.Lamb<double>();
        var g = o.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => g.Set(HyperparameterKey.TrustRatio, 0.5));
        Assert.Contains("trust_ratio", e.Message);
        Assert.Equal(["exp_avg", "exp_avg_sq"], o.StateBuffers.Select(b => b.BufferName));
        Assert.Contains(HyperparameterKey.TrustRatio, o.Keys);
    }
}
