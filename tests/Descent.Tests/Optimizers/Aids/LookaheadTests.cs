using Descent.Optimizers;
using Descent.Optimizers.Aids;
using static Descent.Tests.Optimizers.TestObjectives;

namespace Descent.Tests.Optimizers.Aids;

public class LookaheadTests
{
    // f(x) = x²/2, inner SGD lr 0.1: each fast step multiplies x by 0.9 (Zhang et al. 2019, Algorithm 1 by hand).
    [Fact]
    public void HandComputedK2AlphaHalf()
    {
        double[] x = [1.0];
        var g = new double[1];
        var inner = Optim.Sgd<double>(learningRate: 0.1);
        inner.AddGroup(new Parameter<double>("x", x, g));
        var la = new Lookahead<double>(inner, syncPeriod: 2, alpha: 0.5);
        var seen = new List<double>();
        for (int t = 0; t < 4; t++) { g[0] = x[0]; la.Step(); seen.Add(x[0]); }
        // fast: 0.9, 0.81 -> slow = 1 + 0.5 (0.81 - 1) = 0.905; fast: 0.8145, 0.73305 -> slow = 0.905 + 0.5 (0.73305 - 0.905) = 0.819025
        AssertClose(0.9, seen[0], 1e-15, "1");
        AssertClose(0.905, seen[1], 1e-15, "2");
        AssertClose(0.8145, seen[2], 1e-15, "3");
        AssertClose(0.819025, seen[3], 1e-15, "4");
        AssertClose(0.819025, la.SlowWeights[0][0], 1e-15, "slow");
        Assert.Equal(0, la.StepsSinceSync);
    }

    [Fact]
    public void SkippedStepsDoNotCount()
    {
        double[] x = [1.0];
        var g = new double[1];
        var inner = Optim.Sgd<double>(learningRate: 0.1);
        inner.NonFinitePolicy = NonFinitePolicy.SkipStep;
        inner.AddGroup(new Parameter<double>("x", x, g));
        var la = new Lookahead<double>(inner, syncPeriod: 2);
        g[0] = x[0]; la.Step();
        g[0] = double.NaN; la.Step();
        Assert.Equal(1, la.StepsSinceSync);
        AssertClose(0.9, x[0], 1e-15);
    }

    [Fact]
    public void ConvergesOnRosenbrockAroundAdam()
    {
        double[] x = [-1.2, 1.0];
        var g = new double[2];
        var inner = Optim.Adam<double>(learningRate: 0.02);
        inner.AddGroup(new Parameter<double>("x", x, g));
        var la = new Lookahead<double>(inner);
        for (int t = 0; t < 4000; t++) { Rosenbrock(x, g); la.Step(); }
        Assert.True(Rosenbrock(x, g) < 1e-6, $"f = {Rosenbrock(x, g)}");
    }

    [Fact]
    public void SaveAndLoadResumeBitForBit()
    {
        double[] Run(bool reload)
        {
            double[] x = [2.0, -1.0, 0.25];
            var g = new double[3];
            var inner = Optim.Adam<double>(learningRate: 0.05);
            inner.AddGroup(new Parameter<double>("x", x, g));
            var la = new Lookahead<double>(inner, 3, 0.6);
            for (int t = 0; t < 7; t++) { Diagonal(x, g); la.Step(); }
            if (reload)
            {
                var s = la.SaveState();
                x = (double[])x.Clone();
                inner = Optim.Adam<double>(learningRate: 0.05);
                inner.AddGroup(new Parameter<double>("x", x, g));
                la = new Lookahead<double>(inner, 3, 0.6);
                la.LoadState(s);
            }
            for (int t = 0; t < 7; t++) { Diagonal(x, g); la.Step(); }
            return [.. x, .. la.SlowWeights[0]];
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void InvalidArgumentsNameTheParameter()
    {
        var inner = Optim.Sgd<double>();
        Assert.Equal("syncPeriod", Assert.Throws<ArgumentOutOfRangeException>(() => new Lookahead<double>(inner, 0)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Lookahead<double>(inner, 5, 1.5)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Lookahead<double>(inner, 5, double.NaN)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new Lookahead<double>(null!));
    }
}
