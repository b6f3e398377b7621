using Descent.Optimizers;
using Descent.Optimizers.Rules;
using static Descent.Tests.Optimizers.TestObjectives;

namespace Descent.Tests.Optimizers;

public class ProdigyTests
{
    // Independent scalar transcription of the prodigyopt 1.x step (Mishchenko & Defazio 2023, Adam version, as in the official
    // prodigyopt/prodigy.py): one global d for all elements of all parameters, defaults beta3 = sqrt(beta2), no bias correction.
    private static double[] ReferenceProdigy(double[] x0, Func<double[], double[]> gradient, int steps, double lr, double weightDecay,
        double eps = 1e-8, double beta1 = 0.9, double beta2 = 0.999, double d0 = 1e-6, bool biasCorrection = false, bool safeguard = false,
        double[]? weightDecayPerElement = null, bool coupled = false)
    {
        int n = x0.Length;
        var x = (double[])x0.Clone();
        var p0 = (double[])x0.Clone();
        var m = new double[n]; var v = new double[n]; var s = new double[n];
        double d = d0, dMax = d0, r = 0, beta3 = Math.Sqrt(beta2);
        for (int k = 0; k < steps; k++)
        {
            var g = gradient(x);
            if (coupled) for (int i = 0; i < n; i++) g[i] += weightDecay * x[i];
            double dlr = d * lr * (biasCorrection ? Math.Sqrt(1 - Math.Pow(beta2, k + 1)) / (1 - Math.Pow(beta1, k + 1)) : 1.0);
            r *= beta3;
            double sumAbsS = 0;
            for (int i = 0; i < n; i++)
            {
                r += d / d0 * dlr * (g[i] * (p0[i] - x[i]));
                m[i] = beta1 * m[i] + d * (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + d * d * (1 - beta2) * g[i] * g[i];
                s[i] = beta3 * s[i] + d / d0 * (safeguard ? d : dlr) * g[i];
                sumAbsS += Math.Abs(s[i]);
            }
            double dHat = r / sumAbsS;
            if (d == d0) d = Math.Max(d, dHat);
            dMax = Math.Max(dMax, dHat);
            d = Math.Min(dMax, d * double.PositiveInfinity); // growth_rate = inf
            for (int i = 0; i < n; i++)
            {
                if (!coupled) x[i] -= (weightDecayPerElement?[i] ?? weightDecay) * dlr * x[i];
                x[i] -= dlr * m[i] / (Math.Sqrt(v[i]) + d * eps);
            }
        }
        return x;
    }

    private static double[] QuadraticGradient(double[] x) => [x[0] - 0.5, 2 * (x[1] - 1), 3 * (x[2] - 1.5)];

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.0)]
    [InlineData(3, 0.0)]
    [InlineData(3, 0.1)]
    public void FirstStepsMatchTheOfficialAlgorithmWithTheSumsOverTwoParameters(int steps, double weightDecay)
    {
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceProdigy(start, QuadraticGradient, steps, 1.0, weightDecay);
        var opt = Optim.Prodigy<double>(weightDecay: weightDecay);
        double[] a = [start[0], start[1]], b = [start[2]];
        double[] ga = new double[2], gb = new double[1];
        opt.AddGroup(new Parameter<double>("a", a, ga));
        opt.AddGroup(new Parameter<double>("b", b, gb));
        for (int t = 0; t < steps; t++)
        {
            var g = QuadraticGradient([a[0], a[1], b[0]]);
            ga[0] = g[0]; ga[1] = g[1]; gb[0] = g[2];
            opt.Step();
        }
        AssertClose(want[0], a[0], 1e-12, "a[0]");
        AssertClose(want[1], a[1], 1e-12, "a[1]");
        AssertClose(want[2], b[0], 1e-12, "b[0]");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BiasCorrectionAndSafeguardWarmupFollowTheOfficialCode(bool biasCorrection, bool safeguard)
    {
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceProdigy(start, QuadraticGradient, 4, 1.0, 0.0, biasCorrection: biasCorrection, safeguard: safeguard);
        var opt = Optim.Prodigy<double>(useBiasCorrection: biasCorrection, safeguardWarmup: safeguard);
        var x = (double[])start.Clone();
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("x", x, g));
        for (int t = 0; t < 4; t++) { QuadraticGradient(x).CopyTo(g, 0); opt.Step(); }
        for (int i = 0; i < 3; i++) AssertClose(want[i], x[i], 1e-12, $"x[{i}]");
    }

    [Fact]
    public void CoupledWeightDecayEntersTheGradient()
    {
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceProdigy(start, QuadraticGradient, 3, 1.0, 0.1, coupled: true);
        var opt = Optim.Prodigy<double>(weightDecay: 0.1, decoupledWeightDecay: false);
        var x = (double[])start.Clone();
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("x", x, g));
        for (int t = 0; t < 3; t++) { QuadraticGradient(x).CopyTo(g, 0); opt.Step(); }
        for (int i = 0; i < 3; i++) AssertClose(want[i], x[i], 1e-12, $"x[{i}]");
    }

    [Fact]
    public void WeightDecayIsPerGroup()
    {
        double[] start = [2.0, -1.0, 0.25];
        var want = ReferenceProdigy(start, QuadraticGradient, 3, 1.0, 0.0, weightDecayPerElement: [0, 0, 0.3]);
        var opt = Optim.Prodigy<double>();
        double[] a = [start[0], start[1]], b = [start[2]];
        double[] ga = new double[2], gb = new double[1];
        opt.AddGroup(new Parameter<double>("a", a, ga));
        opt.AddGroup(new Parameter<double>("b", b, gb)).Set(HyperparameterKey.WeightDecay, 0.3);
        for (int t = 0; t < 3; t++)
        {
            var g = QuadraticGradient([a[0], a[1], b[0]]);
            ga[0] = g[0]; ga[1] = g[1]; gb[0] = g[2];
            opt.Step();
        }
        AssertClose(want[0], a[0], 1e-12, "a[0]");
        AssertClose(want[1], a[1], 1e-12, "a[1]");
        AssertClose(want[2], b[0], 1e-12, "b[0]");
    }

    [Fact]
    public void TheEstimateStartsAtD0AndGrows()
    {
        var opt = Optim.Prodigy<double>();
        double[] x = [2.0, -1.0, 0.25];
        var g = new double[3];
        opt.AddGroup(new Parameter<double>("x", x, g));
        Assert.Equal(1e-6, ScaleByProdigy<double>.EstimateOf(opt));
        for (int t = 0; t < 20; t++) { Diagonal(x, g); opt.Step(); }
        Assert.True(ScaleByProdigy<double>.EstimateOf(opt) > 1e-3, $"d = {ScaleByProdigy<double>.EstimateOf(opt)}");
    }

    [Fact]
    public void ConvergesOnAQuadraticWithoutALearningRate()
    {
        double f0 = Diagonal([0, 0, 0, 0], new double[4]);
        double f = Minimize(Optim.Prodigy<double>(), new double[4], Diagonal, 400);
        Assert.True(f < 1e-6 * f0, $"f = {f}");
    }

    [Fact]
    public void ConvergesOnRosenbrock()
    {
        double f = Minimize(Optim.Prodigy<double>(), [-1.2, 1.0], Rosenbrock, 3000);
        Assert.True(f < 1e-3, $"f = {f}");
    }

    [Fact]
    public void SaveAndLoadResumeBitForBitIncludingTheGlobalEstimate()
    {
        double[] Run(bool reload)
        {
            var opt = Optim.Prodigy<double>(weightDecay: 0.01, useBiasCorrection: true);
            double[] x = [2.0, -1.0, 0.25];
            var g = new double[3];
            opt.AddGroup(new Parameter<double>("x", x, g));
            for (int t = 0; t < 7; t++) { Diagonal(x, g); opt.Step(); }
            if (reload)
            {
                var snapshot = opt.SaveState();
                var values = (double[])x.Clone();
                opt = Optim.Prodigy<double>(weightDecay: 0.01, useBiasCorrection: true);
                x = values;
                opt.AddGroup(new Parameter<double>("x", x, g));
                opt.LoadState(snapshot);
            }
            for (int t = 0; t < 7; t++) { Diagonal(x, g); opt.Step(); }
            return [.. x, ScaleByProdigy<double>.EstimateOf(opt)];
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void FloatRunsAndDecreasesTheLoss()
    {
        var opt = Optim.Prodigy<float>();
        float[] x = [2f, -1f];
        var g = new float[2];
        opt.AddGroup(new Parameter<float>("x", x, g, [2]));
        for (int t = 0; t < 300; t++) { g[0] = x[0] - 0.5f; g[1] = 2 * (x[1] - 1); opt.Step(); }
        Assert.True(Math.Abs(x[0] - 0.5f) < 1e-2 && Math.Abs(x[1] - 1) < 1e-2, $"x = {x[0]}, {x[1]}");
    }

    [Fact]
    public void GroupsWithADifferentNonzeroLrAreRejectedBeforeAnythingChanges()
    {
        var opt = Optim.Prodigy<double>();
        double[] a = [1.0], b = [2.0];
        opt.AddGroup(new Parameter<double>("a", a, new double[] { 1 }));
        opt.AddGroup(new Parameter<double>("b", b, new double[] { 1 })).Set(HyperparameterKey.LearningRate, 0.5);
        Assert.Throws<ArgumentException>(() => opt.Step());
        Assert.Equal([1.0, 2.0], [a[0], b[0]]);
        Assert.Equal(0, opt.StepCount);
    }

    [Fact]
    public void AGroupWithLrZeroIsExcludedFromTheEstimate()
    {
        var opt = Optim.Prodigy<double>();
        double[] a = [1.0], b = [2.0];
        opt.AddGroup(new Parameter<double>("a", a, new double[] { 1 }));
        opt.AddGroup(new Parameter<double>("b", b, new double[] { 1 })).Set(HyperparameterKey.LearningRate, 0.0);
        opt.Step();
        Assert.Equal(2.0, b[0]); // exp_avg of b stays 0, so b does not move
        Assert.NotEqual(1.0, a[0]);
    }

    [Theory]
    [InlineData("d0", 0.0)]
    [InlineData("d0", double.NaN)]
    [InlineData("dCoefficient", -1.0)]
    [InlineData("growthRate", 0.5)]
    [InlineData("beta3", 1.0)]
    [InlineData("learningRate", double.PositiveInfinity)]
    [InlineData("beta2", 1.0)]
    public void InvalidArgumentsNameTheParameter(string name, double value)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => name switch
        {
            "d0" => Optim.Prodigy<double>(d0: value),
            "dCoefficient" => Optim.Prodigy<double>(dCoefficient: value),
            "growthRate" => Optim.Prodigy<double>(growthRate: value),
            "beta3" => Optim.Prodigy<double>(beta3: value),
            "learningRate" => Optim.Prodigy<double>(learningRate: value),
            _ => Optim.Prodigy<double>(beta2: value),
        });
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void DefaultsAreTheOfficialOnes()
    {
        var opt = Optim.Prodigy<double>();
        Assert.Equal("prodigy", opt.Kind);
        Assert.Equal(1.0, opt.GetDefault(HyperparameterKey.LearningRate).Value);
        Assert.Equal(0.9, opt.GetDefault(HyperparameterKey.Beta1).Value);
        Assert.Equal(0.999, opt.GetDefault(HyperparameterKey.Beta2).Value);
        Assert.Equal(1e-8, opt.GetDefault(HyperparameterKey.Epsilon).Value);
        var rule = Assert.IsType<ScaleByProdigy<double>>(opt.Rules.Single());
        Assert.Equal(1e-6, rule.D0);
        Assert.True(rule.DecoupledWeightDecay);
        Assert.False(rule.UseBiasCorrection);
        Assert.Null(rule.Beta3);
        Assert.Equal(double.PositiveInfinity, rule.GrowthRate);
    }
}
