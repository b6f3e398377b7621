using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>The preprocessing stage (<c>GradientPreprocessing.cs</c>): non-finite policies, accumulation, global-norm clipping.</summary>
public class GradientPreprocessingTests
{
    [Theory]
    [InlineData(NonFinitePolicy.Throw)]
    [InlineData(NonFinitePolicy.SkipStep)]
    [InlineData(NonFinitePolicy.ZeroNonFinite)]
    public void NonFiniteGradientsFollowThePolicy(NonFinitePolicy policy)
    {
        var o = Optim.Adam<double>(0.1);
        o.NonFinitePolicy = policy;
        double[] v = [1, 2, 3];
        double[] g = [0.5, double.NaN, -0.5];
        o.AddGroup(new Parameter<double>("w", v, g));
        var reference = Optim.Adam<double>(0.1);
        double[] rv = [1, 2, 3];
        reference.AddGroup(new Parameter<double>("w", rv, new double[] { 0.5, 0, -0.5 }));
        switch (policy)
        {
            case NonFinitePolicy.Throw:
                Assert.Throws<ArithmeticException>(o.Step);
                Assert.Equal([1, 2, 3], v);
                Assert.Equal(0, o.StepCount);
                Assert.All(o.StateBuffers, b => Assert.All(b.Values.ToArray(), x => Assert.Equal(0, x)));
                break;
            case NonFinitePolicy.SkipStep:
                o.Step();
                Assert.Equal([1, 2, 3], v);
                Assert.Equal(0, o.StepCount);
                Assert.Equal(1, o.SkippedSteps);
                Assert.Equal(0, o.ParameterStates.Single().Step);
                break;
            default:
                o.Step();
                reference.Step();
                Assert.Equal(rv, v);
                Assert.Equal([0.5, double.NaN, -0.5], g); // the caller's buffer is untouched
                break;
        }
    }

    [Fact]
    public void GradientAccumulationAppliesTheMeanEveryKSteps()
    {
        double[] p1 = [1, 2], p2 = [1, 2];
        double[] g1 = [0, 0], g2 = [0, 0];
        var a = Optim.Adam<double>(0.1);
        a.GradientAccumulationSteps = 2;
        a.AddGroup(new Parameter<double>("x", p1, g1));
        var b = Optim.Adam<double>(0.1);
        b.AddGroup(new Parameter<double>("x", p2, g2));
        g1[0] = 1; g1[1] = -2; a.Step();
        Assert.Equal([1, 2], p1);
        Assert.Equal(1, a.MicroStep);
        g1[0] = 3; g1[1] = 4; a.Step();
        g2[0] = 2; g2[1] = 1; b.Step();
        Assert.Equal(p2, p1);
        Assert.Equal(1, a.StepCount);
    }

    [Fact]
    public void ClipByGlobalNormScalesTheGradient()
    {
        double[] p1 = [1, 2], p2 = [1, 2];
        var a = Optim.Sgd<double>(0.1);
        a.MaxGradientNorm = 1;
        a.AddGroup(new Parameter<double>("x", p1, new double[] { 3, 4 }));
        a.Step();
        double scale = 1 / (5 + 1e-6);
        Assert.Equal(1 - 0.1 * 3 * scale, p1[0], 14);
        Assert.Equal(2 - 0.1 * 4 * scale, p1[1], 14);
    }
}
