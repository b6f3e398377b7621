using Descent.Optimizers;
using Descent.Optimizers.Rules;

namespace Descent.Tests.Optimizers;

public class LarsTests
{
    /// <summary>You, Gitman and Ginsburg 2017, Algorithm 1: lambda = eta ||w|| / (||g|| + beta ||w||); v = m v + gamma lambda (g + beta w); w -= v.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThreeStepsMatchThePaper(bool nesterov)
    {
        double[] p0 = [0.5, -1.5, 2.0], a = [1, 3, 0.5], c = [1, 1, 1];
        double lr = 2, mu = 0.9, wd = 0.01, eta = 0.01;
        var got = TestObjectives.Trace(Optim.Lars<double>(lr, mu, wd, eta, nesterov: nesterov), p0, a, c, 3);
        var p = (double[])p0.Clone();
        var b = new double[3];
        for (int t = 1; t <= 3; t++)
        {
            var g = new double[3];
            TestObjectives.Gradient(p, a, c, g);
            double lambda = eta * TestObjectives.Norm(p) / (TestObjectives.Norm(g) + wd * TestObjectives.Norm(p));
            for (int i = 0; i < 3; i++)
            {
                double step = lr * lambda * (g[i] + wd * p[i]);
                b[i] = mu * b[i] + step;
                p[i] -= nesterov ? step + mu * b[i] : b[i];
            }
            TestObjectives.Close(p, got[t - 1], $"step {t}");
        }
    }

    [Fact]
    public void TrustRatioOffForAGroupIsSgdWithMomentum()
    {
        var lars = Optim.Lars<double>(0.1, 0.9, weightDecay: 0.01);
        var sgd = Optim.Sgd<double>(0.1, 0.9, weightDecay: 0.01);
        var (p1, p2) = (new[] { 1.0, -2 }, new[] { 1.0, -2 });
        var (g1, g2) = (new double[2], new double[2]);
        lars.AddGroup(new Parameter<double>("b", p1, g1)).Set(HyperparameterKey.TrustRatio, 0);
        sgd.AddGroup(new Parameter<double>("b", p2, g2));
        for (int k = 0; k < 3; k++)
        {
            TestObjectives.Gradient(p1, [1, 3], [0, 0], g1);
            TestObjectives.Gradient(p2, [1, 3], [0, 0], g2);
            lars.Step();
            sgd.Step();
            TestObjectives.Close(p2, p1, $"step {k + 1}");
        }
    }

    [Fact]
    public void ConvergesOnAQuadraticAndRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.Lars<double>(1, trustCoefficient: 0.01, learningRateSchedule: new TestObjectives.Cosine(1000)), TestObjectives.TwoCurvatures, [4, 3], 1000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-6);
        x = TestObjectives.Minimize(Optim.Lars<double>(1, trustCoefficient: 0.01, learningRateSchedule: new TestObjectives.Cosine(1000)), TestObjectives.Rosenbrock, [-1.2, 1], 1000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-6, $"f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
    }

    [Fact]
    public void ValidationAndState()
    {
        Assert.Equal("trustCoefficient", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lars<double>(trustCoefficient: 0)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lars<double>(epsilon: -1)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lars<double>(momentum: -0.1)).ParamName);
        var o = Optim.Lars<double>();
        o.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Equal([Trace<double>.BufferName], o.StateBuffers.Select(b => b.BufferName));
    }
}
