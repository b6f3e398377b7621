using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>ASGD's average, beyond the PyTorch traces (<see cref="OptimizerParityTests"/>: asgd, asgd-t0 in double and float).</summary>
public class AsgdTests
{
    [Fact]
    public void AsgdAverageIsTheParameterUntilT0ThenTheMeanOfTheIterates()
    {
        var p = new double[] { 1, -2 };
        var g = new double[2];
        var o = Optim.Asgd<double>(learningRate: 0.1, lambd: 0, t0: 2);
        o.AddGroup(new Parameter<double>("p", p, g));
        var iterates = new List<double[]>();
        var random = new Random(3);
        for (int t = 1; t <= 7; t++)
        {
            g[0] = random.NextDouble() - 0.5;
            g[1] = random.NextDouble() - 0.5;
            o.Step();
            iterates.Add((double[])p.Clone());
            double[] ax = o.AsgdAverage("p").ToArray();
            // μ_t = 1 / max(1, t - 1 - t0) is used at step t: 1 up to step 4, then ax averages the iterates from step 4 on
            double[] want = t <= 4 ? p : Enumerable.Range(0, 2).Select(i => iterates.Skip(3).Average(x => x[i])).ToArray();
            Assert.Equal(want, ax, new ToleranceComparer(1e-14));
        }
        Assert.Throws<KeyNotFoundException>(() => Optim.Sgd<double>().AsgdAverage("p"));
    }

    [Fact]
    public void AsgdFirstStepsByHand()
    {
        // η_1 = lr; p1 = p0 (1 - λ lr) - lr g; η_2 = lr / (1 + λ lr)^α
        const double lr = 0.05, lambd = 0.2, alpha = 0.75;
        var p = new double[] { 2.0 };
        var g = new double[] { 0.5 };
        var o = Optim.Asgd<double>(lr, lambd, alpha);
        o.AddGroup(new Parameter<double>("p", p, g));
        o.Step();
        double p1 = 2.0 * (1 - lambd * lr) - lr * 0.5;
        Assert.Equal(p1, p[0], 14);
        o.Step();
        double eta2 = lr / Math.Pow(1 + lambd * lr, alpha);
        Assert.Equal(p1 * (1 - lambd * eta2) - eta2 * 0.5, p[0], 14);
    }
}
