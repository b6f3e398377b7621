using Descent.Optimizers;
using static Descent.Tests.Optimizers.TestObjectives;

namespace Descent.Tests.Optimizers;

public class ScheduleFreeTests
{
    // Independent transcription of Defazio et al. 2024, Algorithm 1, with the x sequence kept explicitly (as the paper writes it,
    // not the official code's in-place y update): z_{t+1} = z_t - lr_t u_t; x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1};
    // y_{t+1} = (1 - beta) z_{t+1} + beta x_{t+1}; c_{t+1} = lr_max,t² / sum lr_max,i²; lr_t with the official warm-up and,
    // for AdamW, sqrt(1 - beta2^(t+1)); gradient and weight decay evaluated at y.
    private static (double[] Y, double[] X) Reference(double[] start, Func<double[], double[]> gradient, int steps, bool adam,
        double lr, double beta, double weightDecay, long warmup, double beta2 = 0.999, double eps = 1e-8)
    {
        int n = start.Length;
        var z = (double[])start.Clone();
        var x = (double[])start.Clone();
        var y = (double[])start.Clone();
        var v = new double[n];
        double lrMax = -1, weightSum = 0;
        for (int k = 0; k < steps; k++)
        {
            var g = gradient(y);
            double lrk = lr * (k < warmup ? (k + 1.0) / warmup : 1.0) * (adam ? Math.Sqrt(1 - Math.Pow(beta2, k + 1)) : 1.0);
            lrMax = Math.Max(lrMax, lrk);
            weightSum += lrMax * lrMax;
            double c = lrMax * lrMax / weightSum;
            for (int i = 0; i < n; i++)
            {
                double u = g[i];
                if (adam)
                {
                    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                    u = g[i] / (Math.Sqrt(v[i]) + eps);
                }
                u += weightDecay * y[i];
                z[i] -= lrk * u;
                x[i] = (1 - c) * x[i] + c * z[i];
                y[i] = (1 - beta) * z[i] + beta * x[i];
            }
        }
        return (y, x);
    }

    private static double[] Gradient(double[] p) => [p[0] - 0.5, 2 * (p[1] - 1), 3 * (p[2] - 1.5)];

    private static Optimizer<double> Create(bool adam, double weightDecay, long warmup)
        => adam ? Optim.ScheduleFreeAdamW<double>(learningRate: 0.1, weightDecay: weightDecay, warmupSteps: warmup)
                : Optim.ScheduleFreeSgd<double>(learningRate: 0.2, momentum: 0.9, weightDecay: weightDecay, warmupSteps: warmup);

    [Theory]
    [InlineData(true, 1, 0.0, 0)]
    [InlineData(true, 2, 0.0, 0)]
    [InlineData(true, 3, 0.01, 2)]
    [InlineData(false, 1, 0.0, 0)]
    [InlineData(false, 2, 0.0, 0)]
    [InlineData(false, 3, 0.01, 2)]
    public void FirstStepsMatchThePaperWithXKeptExplicitly(bool adam, int steps, double weightDecay, long warmup)
    {
        double[] start = [2.0, -1.0, 0.25];
        var (wantY, wantX) = Reference(start, Gradient, steps, adam, adam ? 0.1 : 0.2, 0.9, weightDecay, warmup);
        var opt = Create(adam, weightDecay, warmup);
        var p = (double[])start.Clone();
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("p", p, g));
        for (int t = 0; t < steps; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
        for (int i = 0; i < 3; i++) AssertClose(wantY[i], p[i], 1e-12, $"y[{i}]");
        opt.SwitchToEvaluation();
        Assert.False(opt.IsTraining());
        for (int i = 0; i < 3; i++) AssertClose(wantX[i], p[i], 1e-12, $"x[{i}]");
    }

    [Fact]
    public void GroupsKeepTheirOwnLearningRateAndAveragingWeights()
    {
        double[] start = [2.0, -1.0, 0.25];
        var (wantY, wantX) = Reference(start, Gradient, 3, true, 0.03, 0.9, 0.0, 0);
        var opt = Optim.ScheduleFreeAdamW<double>(learningRate: 0.1);
        opt.AddGroup(new Parameter<double>("other", new double[] { 1.0 }, new double[] { 0.5 }));
        var p = (double[])start.Clone();
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("p", p, g)).Set(HyperparameterKey.LearningRate, 0.03);
        for (int t = 0; t < 3; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
        for (int i = 0; i < 3; i++) AssertClose(wantY[i], p[i], 1e-12, $"y[{i}]");
        opt.SwitchToEvaluation();
        for (int i = 0; i < 3; i++) AssertClose(wantX[i], p[i], 1e-12, $"x[{i}]");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConvergesOnAQuadraticEvaluatedAtX(bool adam)
    {
        var opt = adam ? Optim.ScheduleFreeAdamW<double>(learningRate: 0.05) : Optim.ScheduleFreeSgd<double>(learningRate: 0.1);
        var x = new double[4];
        Minimize(opt, x, Diagonal, 2000);
        opt.SwitchToEvaluation();
        double f = Diagonal(x, new double[4]);
        Assert.True(f < 1e-6, $"f = {f}");
    }

    [Fact]
    public void AdamWConvergesOnRosenbrock()
    {
        var opt = Optim.ScheduleFreeAdamW<double>(learningRate: 0.02, warmupSteps: 100);
        double[] x = [-1.2, 1.0];
        Minimize(opt, x, Rosenbrock, 10000);
        opt.SwitchToEvaluation();
        double f = Rosenbrock(x, new double[2]);
        Assert.True(f < 1e-4, $"f = {f}");
    }

    [Fact]
    public void SgdConvergesOnRosenbrock()
    {
        var opt = Optim.ScheduleFreeSgd<double>(learningRate: 5e-4);
        double[] x = [-1.2, 1.0];
        Minimize(opt, x, Rosenbrock, 10000);
        opt.SwitchToEvaluation();
        double f = Rosenbrock(x, new double[2]);
        Assert.True(f < 2e-3, $"f = {f}");
    }

    [Fact]
    public void TrainEvalRoundTripRestoresYToRoundingAndIsIdempotent()
    {
        var opt = Optim.ScheduleFreeAdamW<double>(learningRate: 0.1);
        double[] p = [2.0, -1.0, 0.25];
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("p", p, g));
        for (int t = 0; t < 5; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
        var y = (double[])p.Clone();
        opt.SwitchToEvaluation();
        var x = (double[])p.Clone();
        opt.SwitchToEvaluation(); // already evaluating: no change
        Assert.Equal(x, p);
        Assert.NotEqual(y, x);
        opt.SwitchToTraining();
        Assert.True(opt.IsTraining());
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(y[i] - p[i]) <= 4 * Math.ScaleB(1.0, -52) * Math.Max(1, Math.Abs(y[i])), $"{y[i]:R} vs {p[i]:R}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WithExactModeSwitchTheRoundTripIsBitExactAndXIsUnchanged(bool adam)
    {
        Optimizer<double> Create(bool exact) => adam ? Optim.ScheduleFreeAdamW<double>(learningRate: 0.1, exactModeSwitch: exact)
                                                     : Optim.ScheduleFreeSgd<double>(learningRate: 0.1, exactModeSwitch: exact);
        var plain = Create(false);
        var exact = Create(true);
        double[] p = [2.0, -1.0, 0.25], q = [2.0, -1.0, 0.25];
        var g = new double[3];
        plain.AddGroup(new Parameter<double>("p", p, g));
        exact.AddGroup(new Parameter<double>("p", q, g));
        for (int round = 0; round < 3; round++)
        {
            for (int t = 0; t < 4; t++) { Gradient(q).CopyTo(g, 0); exact.Step(); Gradient(p).CopyTo(g, 0); plain.Step(); }
            var y = (double[])q.Clone();
            exact.SwitchToEvaluation();
            plain.SwitchToEvaluation();
            Assert.Equal(p, q); // same x as the official recomputation
            exact.SwitchToTraining();
            plain.SwitchToTraining();
            Assert.Equal(y, q); // y restored bit for bit
            q.AsSpan().CopyTo(p); // keep the two runs on the same point
        }
    }

    [Fact]
    public void BeforeTheFirstStepTheSwitchChangesNothing()
    {
        var opt = Optim.ScheduleFreeSgd<double>();
        double[] p = [1.5];
        opt.AddGroup(new Parameter<double>("p", p, new double[1]));
        opt.SwitchToEvaluation();
        Assert.Equal(1.5, p[0]);
        opt.SwitchToTraining();
        Assert.Equal(1.5, p[0]);
    }

    [Fact]
    public void StepInEvaluationModeThrowsAndChangesNothing()
    {
        var opt = Optim.ScheduleFreeAdamW<double>();
        double[] p = [2.0, -1.0, 0.25];
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("p", p, g));
        Gradient(p).CopyTo(g, 0);
        opt.Step();
        opt.SwitchToEvaluation();
        var before = (double[])p.Clone();
        var state = opt.SaveState();
        Assert.Throws<InvalidOperationException>(() => opt.Step());
        Assert.Equal(before, p);
        Assert.Equal(1, opt.StepCount);
        Assert.Equal(state.Parameters[0].Buffers[0].Value, opt.SaveState().Parameters[0].Buffers[0].Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SaveAndLoadInEitherModeResumeBitForBit(bool saveInEvaluation)
    {
        double[] Run(bool reload)
        {
            var opt = Optim.ScheduleFreeAdamW<double>(learningRate: 0.1, warmupSteps: 3);
            double[] p = [2.0, -1.0, 0.25];
            var g = new double[3];
            opt.AddGroup(new Parameter<double>("p", p, g));
            for (int t = 0; t < 4; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
            if (saveInEvaluation) opt.SwitchToEvaluation();
            if (reload)
            {
                var snapshot = opt.SaveState();
                var values = (double[])p.Clone();
                opt = Optim.ScheduleFreeAdamW<double>(learningRate: 0.1, warmupSteps: 3);
                p = values;
                opt.AddGroup(new Parameter<double>("p", p, g));
                opt.LoadState(snapshot);
                Assert.Equal(!saveInEvaluation, opt.IsTraining());
            }
            opt.SwitchToTraining();
            for (int t = 0; t < 4; t++) { Gradient(p).CopyTo(g, 0); opt.Step(); }
            opt.SwitchToEvaluation();
            return p;
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void FloatFollowsDoubleToFloatRounding()
    {
        var of = Optim.ScheduleFreeAdamW<float>(learningRate: 0.1);
        var od = Optim.ScheduleFreeAdamW<double>(learningRate: 0.1);
        float[] pf = [2f, -1f, 0.25f]; var gf = new float[3];
        double[] pd = [2.0, -1.0, 0.25]; var gd = new double[3];
        of.AddGroup(new Parameter<float>("p", pf, gf));
        od.AddGroup(new Parameter<double>("p", pd, gd));
        for (int t = 0; t < 20; t++)
        {
            var g = Gradient(pd);
            g.CopyTo(gd, 0);
            var h = Gradient([pf[0], pf[1], pf[2]]);
            for (int i = 0; i < 3; i++) gf[i] = (float)h[i];
            of.Step();
            od.Step();
        }
        of.SwitchToEvaluation();
        od.SwitchToEvaluation();
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(pf[i] - pd[i]) < 1e-4, $"{pf[i]} vs {pd[i]}");
    }

    [Fact]
    public void DefaultsAreTheOfficialOnes()
    {
        var adam = Optim.ScheduleFreeAdamW<double>();
        Assert.Equal("schedule_free_adamw", adam.Kind);
        Assert.Equal(0.0025, adam.GetDefault(HyperparameterKey.LearningRate).Value);
        Assert.Equal(0.9, adam.GetDefault(HyperparameterKey.Beta1).Value);
        Assert.Equal(0.999, adam.GetDefault(HyperparameterKey.Beta2).Value);
        Assert.Equal(0.0, adam.GetDefault(HyperparameterKey.WeightDecay).Value);
        var sgd = Optim.ScheduleFreeSgd<double>();
        Assert.Equal("schedule_free_sgd", sgd.Kind);
        Assert.Equal(1.0, sgd.GetDefault(HyperparameterKey.LearningRate).Value);
        Assert.Equal(0.9, sgd.GetDefault(HyperparameterKey.Momentum).Value);
    }

    [Fact]
    public void InvalidArgumentsNameTheParameter()
    {
        Assert.Equal("beta1", Assert.ThrowsAny<ArgumentException>(() => Optim.ScheduleFreeAdamW<double>(beta1: 0)).ParamName);
        Assert.Equal("momentum", Assert.ThrowsAny<ArgumentException>(() => Optim.ScheduleFreeSgd<double>(momentum: 1)).ParamName);
        Assert.Equal("momentum", Assert.ThrowsAny<ArgumentException>(() => Optim.ScheduleFreeSgd<double>(momentum: 0)).ParamName);
        Assert.Equal("warmupSteps", Assert.ThrowsAny<ArgumentException>(() => Optim.ScheduleFreeAdamW<double>(warmupSteps: -1)).ParamName);
        Assert.Equal("r", Assert.ThrowsAny<ArgumentException>(() => Optim.ScheduleFreeSgd<double>(r: double.NaN)).ParamName);
        Assert.Equal("learningRate", Assert.ThrowsAny<ArgumentException>(() => Optim.ScheduleFreeSgd<double>(learningRate: -1)).ParamName);
        var opt = Optim.ScheduleFreeSgd<double>();
        opt.AddGroup(new Parameter<double>("p", new double[1], new double[1]));
        opt.Groups[0].Set(HyperparameterKey.Momentum, 1.5); // in the key's range; the schedule-free check runs when the step resolves it
        Assert.Equal("momentum", Assert.ThrowsAny<ArgumentException>(() => opt.Step()).ParamName);
        Assert.Equal(0, opt.StepCount);
        Assert.Throws<ArgumentException>(() => Optim.Sgd<double>().SwitchToEvaluation());
    }
}
