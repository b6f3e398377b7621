using Descent.Optimizers;
using Descent.Optimizers.Rules;

namespace Descent.Tests.Optimizers;

public class AdEMAMixTests
{
    /// <summary>
    /// Pagliardini et al. 2024, Algorithm 1 and section 3: alpha_t = min(t alpha / T, alpha),
    /// beta3_t = min(exp(ln b1 ln b3 / ((1 - t/T) ln b3 + (t/T) ln b1)), b3); m1, m2 (beta3_t), v;
    /// p -= lr ((m1 / (1 - b1^t) + alpha_t m2) / (sqrt(v / (1 - b2^t)) + eps) + wd p).
    /// </summary>
    [Theory]
    [InlineData(0L)]
    [InlineData(10L)]
    public void ThreeStepsMatchThePaper(long warmup)
    {
        double[] p0 = [0.5, -1.5, 2.0], a = [1, 3, 0.5], c = [1, 1, 1];
        double lr = 0.01, b1 = 0.9, b2 = 0.999, b3 = 0.9999, alpha = 5, eps = 1e-8, wd = 0.1;
        var got = TestObjectives.Trace(Optim.AdEMAMix<double>(lr, b1, b2, b3, alpha, warmup, eps, wd), p0, a, c, 3);
        var p = (double[])p0.Clone();
        var m1 = new double[3];
        var m2 = new double[3];
        var v = new double[3];
        for (int t = 1; t <= 3; t++)
        {
            double at = warmup == 0 ? alpha : Math.Min(t * alpha / warmup, alpha);
            double f = (double)t / warmup;
            double b3t = warmup == 0 ? b3 : Math.Min(Math.Exp(Math.Log(b1) * Math.Log(b3) / ((1 - f) * Math.Log(b3) + f * Math.Log(b1))), b3);
            var g = new double[3];
            TestObjectives.Gradient(p, a, c, g);
            for (int i = 0; i < 3; i++)
            {
                m1[i] = b1 * m1[i] + (1 - b1) * g[i];
                m2[i] = b3t * m2[i] + (1 - b3t) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double u = (m1[i] / (1 - Math.Pow(b1, t)) + at * m2[i]) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
                p[i] -= lr * (u + wd * p[i]);
            }
            TestObjectives.Close(p, got[t - 1], $"step {t}");
        }
    }

    [Fact]
    public void SchedulersStartAtBeta1AndZeroAndEndAtTheTargets()
    {
        var rule = new ScaleByAdEMAMix<double>(alpha: 8, warmupSteps: 100);
        Assert.Equal(0.08, rule.AlphaAt(1), 15);
        Assert.Equal(4.0, rule.AlphaAt(50), 15);
        Assert.Equal(8.0, rule.AlphaAt(100));
        Assert.Equal(8.0, rule.AlphaAt(1000));
        Assert.Equal(0.9, rule.Beta3At(0, 0.9, 0.9999), 12);
        Assert.Equal(0.9999, rule.Beta3At(100, 0.9, 0.9999));
        double mid = rule.Beta3At(50, 0.9, 0.9999);
        Assert.InRange(mid, 0.9, 0.9999);
        // Half-life is linear in t: H(b) = ln 0.5 / ln b is the mean of H(0.9) and H(0.9999) at t = T/2.
        Assert.Equal((Math.Log(0.5) / Math.Log(0.9) + Math.Log(0.5) / Math.Log(0.9999)) / 2, Math.Log(0.5) / Math.Log(mid), 6);
        // beta1 = 0 stays defined (the paper's closed form would give NaN).
        Assert.True(double.IsFinite(rule.Beta3At(10, 0, 0.9999)));
        Assert.Equal(1.0, new ScaleByAdEMAMix<double>(1, 0).AlphaAt(1));
    }

    [Fact]
    public void ConvergesOnAQuadraticAndRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.AdEMAMix<double>(0.02, beta3: 0.999, learningRateSchedule: new TestObjectives.Cosine(4000)), TestObjectives.TwoCurvatures, [4, 3], 4000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-7, $"f = {TestObjectives.Value(TestObjectives.TwoCurvatures, x)}");
        x = TestObjectives.Minimize(Optim.AdEMAMix<double>(0.02, beta3: 0.999, learningRateSchedule: new TestObjectives.Cosine(4000)), TestObjectives.Rosenbrock, [-1.2, 1], 4000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-5, $"f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
    }

    [Fact]
    public void ValidationAndState()
    {
        Assert.Equal("beta3", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.AdEMAMix<double>(beta3: 1)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.AdEMAMix<double>(alpha: -1)).ParamName);
        Assert.Equal("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.AdEMAMix<double>(warmupSteps: -5)).ParamName);
        var o = Optim.AdEMAMix<double>();
        var g = o.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Equal(["exp_avg_fast", "exp_avg_slow", "exp_avg_sq"], o.StateBuffers.Select(b => b.BufferName));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => g.Set(HyperparameterKey.Beta3, 1.0));
        Assert.Contains("beta3", e.Message);
        g.Set(HyperparameterKey.Beta3, 0.99); // per-group beta3
    }
}
