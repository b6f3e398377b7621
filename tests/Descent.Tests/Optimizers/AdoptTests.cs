using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

public class AdoptTests
{
    /// <summary>
    /// Taniguchi et al. 2024, Algorithm 1 with the official clipping: t = 1: v = g²; t ≥ 2: n = clip(g / max(sqrt v, eps), (t-1)^0.25);
    /// m = b1 m + (1-b1) n; p -= lr (m [+ wd p]); v = b2 v + (1-b2) g².
    /// </summary>
    private static void Check(bool clip, bool decoupled, double wd)
    {
        double[] p0 = [0.5, -1.5, 2.0, 3.0], a = [1, 3, 0.5, 4], c = [1, 1, 1, -3];
        double lr = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-6;
        var got = TestObjectives.Trace(Optim.Adopt<double>(lr, b1, b2, eps, wd, decoupled, clip), p0, a, c, 4);
        var p = (double[])p0.Clone();
        var m = new double[4];
        var v = new double[4];
        for (int t = 1; t <= 4; t++)
        {
            var g = new double[4];
            TestObjectives.Gradient(p, a, c, g);
            for (int i = 0; i < 4; i++)
            {
                double gi = decoupled ? g[i] : g[i] + wd * p[i];
                if (t == 1)
                {
                    v[i] = gi * gi;
                    continue;
                }
                double n = gi / Math.Max(Math.Sqrt(v[i]), eps);
                if (clip) n = Math.Clamp(n, -Math.Pow(t - 1, 0.25), Math.Pow(t - 1, 0.25));
                m[i] = b1 * m[i] + (1 - b1) * n;
                p[i] -= lr * (m[i] + (decoupled ? wd * p[i] : 0));
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            }
            TestObjectives.Close(p, got[t - 1], $"step {t}");
        }
    }

    [Fact]
    public void FourStepsMatchThePaperWithClipping() => Check(clip: true, decoupled: false, wd: 0);

    [Fact]
    public void FourStepsMatchThePaperWithoutClippingAndWithL2() => Check(clip: false, decoupled: false, wd: 0.1);

    [Fact]
    public void FourStepsMatchWithDecoupledDecay() => Check(clip: true, decoupled: true, wd: 0.1);

    [Fact]
    public void FirstStepOnlyInitializesV()
    {
        var p = new[] { 1.0, -2 };
        var o = Optim.Adopt<double>(0.5, weightDecay: 0.3, decoupled: true);
        o.AddGroup(new Parameter<double>("p", p, new[] { 3.0, -0.5 }));
        o.Step();
        Assert.Equal(new[] { 1.0, -2 }, p);
        var state = o.StateBuffers.ToDictionary(b => b.BufferName, b => b.Values.ToArray());
        Assert.Equal(new[] { 9.0, 0.25 }, state["exp_avg_sq"]);
        Assert.Equal(new double[2], state["exp_avg"]);
        // Step 2 with the same gradient: n = ±1 (not clipped at the limit 1), m = 0.1 n, p -= 0.5 (m + 0.3 p).
        o.Step();
        TestObjectives.Close([1 - 0.5 * (0.1 + 0.3), -2 - 0.5 * (-0.1 - 0.6)], p, "step 2");
    }

    [Fact]
    public void ConvergesOnAQuadraticAndRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.Adopt<double>(0.05, beta2: 0.99, learningRateSchedule: new TestObjectives.Cosine(2000)), TestObjectives.TwoCurvatures, [4, 3], 2000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-10);
        x = TestObjectives.Minimize(Optim.Adopt<double>(0.05, beta2: 0.99, learningRateSchedule: new TestObjectives.Cosine(2000)), TestObjectives.Rosenbrock, [-1.2, 1], 2000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-10, $"f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
    }

    [Fact]
    public void ValidationAndState()
    {
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adopt<double>(beta2: 1)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adopt<double>(epsilon: double.PositiveInfinity)).ParamName);
        var o = Optim.Adopt<double>();
        o.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Equal(["exp_avg", "exp_avg_sq"], o.StateBuffers.Select(b => b.BufferName));
    }
}
