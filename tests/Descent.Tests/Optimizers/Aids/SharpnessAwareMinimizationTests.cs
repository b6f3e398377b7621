using Descent.Optimizers;
using Descent.Optimizers.Aids;
using static Descent.Tests.Optimizers.TestObjectives;

namespace Descent.Tests.Optimizers.Aids;

public class SharpnessAwareMinimizationTests
{
    private sealed class CosineFactor(long steps) : Descent.Schedules.ISchedule
    {
        public double At(long step) => 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, steps) / steps));
    }

    // f(a, b) = a⁴/4 + b⁴/4 over two parameters, gradient (a³, b³). Foret et al. 2021, Algorithm 1 by hand:
    // e = rho g / ||g|| (global norm over both parameters); w_new = w - lr grad f(w + e). ASAM (Kwon et al. 2021): e = rho w² g / ||w g||.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneStepMatchesTheAlgorithm(bool adaptive)
    {
        double[] a = [1.0], b = [2.0];
        double[] ga = [1.0], gb = [8.0];
        var opt = Optim.Sgd<double>(learningRate: 0.1);
        opt.AddGroup(new Parameter<double>("a", a, ga), new Parameter<double>("b", b, gb));
        var sam = new SharpnessAwareMinimization<double>(opt, rho: 0.05, adaptive: adaptive);
        double norm = adaptive ? Math.Sqrt(1 * 1 + 16 * 16) : Math.Sqrt(1 + 64);
        double ea = adaptive ? 0.05 * 1 * 1 / norm : 0.05 * 1 / norm;
        double eb = adaptive ? 0.05 * 4 * 8 / norm : 0.05 * 8 / norm;
        AssertClose(norm, sam.GradientNorm(), 1e-15);
        double seenA = 0, seenB = 0;
        sam.Step(() =>
        {
            seenA = a[0]; seenB = b[0];
            ga[0] = Math.Pow(a[0], 3);
            gb[0] = Math.Pow(b[0], 3);
        });
        AssertClose(1 + ea, seenA, 1e-14, "perturbed a");
        AssertClose(2 + eb, seenB, 1e-14, "perturbed b");
        AssertClose(1 - 0.1 * Math.Pow(1 + ea, 3), a[0], 1e-13, "a");
        AssertClose(2 - 0.1 * Math.Pow(2 + eb, 3), b[0], 1e-13, "b");
    }

    [Fact]
    public void AFailingClosureRestoresTheWeightsAndTakesNoStep()
    {
        double[] w = [1.0, -2.0];
        var opt = Optim.Adam<double>();
        opt.AddGroup(new Parameter<double>("w", w, new double[] { 0.5, 0.5 }));
        var sam = new SharpnessAwareMinimization<double>(opt);
        Assert.Throws<InvalidOperationException>(() => sam.Step(() => throw new InvalidOperationException("boom")));
        Assert.Equal([1.0, -2.0], w);
        Assert.Equal(0, opt.StepCount);
    }

    [Fact]
    public void ConvergesOnRosenbrockAroundAdam()
    {
        double[] w = [-1.2, 1.0];
        var g = new double[2];
        var opt = Optim.Adam<double>(learningRate: 0.02, learningRateSchedule: new CosineFactor(5000));
        opt.AddGroup(new Parameter<double>("w", w, g));
        var sam = new SharpnessAwareMinimization<double>(opt, rho: 0.002);
        for (int t = 0; t < 5000; t++)
        {
            Rosenbrock(w, g);
            sam.Step(() => Rosenbrock(w, g));
        }
        // SAM minimizes the sharpness-perturbed loss, so it settles near (not at) the minimum.
        Assert.True(Rosenbrock(w, g) < 1e-4, $"f = {Rosenbrock(w, g)}");
    }

    [Fact]
    public void InvalidArgumentsNameTheParameter()
    {
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new SharpnessAwareMinimization<double>(Optim.Sgd<double>(), -0.1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new SharpnessAwareMinimization<double>(null!));
        Assert.Throws<ArgumentNullException>(() => new SharpnessAwareMinimization<double>(Optim.Sgd<double>()).Step(null!));
    }
}
