using Descent.Optimizers;
using Descent.Optimizers.Rules;

namespace Descent.Tests.Optimizers;

public class CautiousTests
{
    /// <summary>A rule that replaces the update by fixed values (to test the mask alone).</summary>
    private sealed class Fixed(double[] values) : IUpdateRule<double>
    {
        public string Name => "fixed";
        public void Initialize(ParameterState<double> state, in StepContext context) { }
        public void Apply(Span<double> update, ReadOnlySpan<double> parameter, ParameterState<double> state, in StepContext context) => values.CopyTo(update);
    }

    private static double[] MaskedStep(double[] gradient, double[] proposed, CautiousNormalization normalization)
    {
        var defaults = new Hyperparameter?[Hyperparameters.Count];
        defaults[(int)HyperparameterKey.LearningRate] = 1.0;
        var o = new Optimizer<double>("test", [new Cautious<double>(new Fixed(proposed), normalization)], defaults);
        var p = new double[gradient.Length];
        o.AddGroup(new Parameter<double>("p", p, gradient));
        o.Step();
        return p; // p = 0 + masked update
    }

    [Fact]
    public void MaskKeepsAgreeingSignsAndRescalesByTheClampedMean()
    {
        // Liang et al. 2024, Algorithm 1: phi = (u g > 0) = [1, 0, 1, 0] (u g = 0 is dropped); mean(phi) = 0.5; u phi / 0.5.
        var p = MaskedStep([1, 2, -3, 0], [0.5, -1, -2, 4], CautiousNormalization.ClampedMean);
        Assert.Equal(new[] { 1.0, 0, -4, 0 }, p);
    }

    [Fact]
    public void OriginalNormalizationIsCountOverKeptPlusOne()
    {
        // C-Optim's first release: n / (sum(phi) + 1) = 4 / 3.
        var p = MaskedStep([1, 2, -3, 0], [0.5, -1, -2, 4], CautiousNormalization.CountPlusOne);
        Assert.Equal(new[] { 0.5 * (4.0 / 3), 0, -2 * (4.0 / 3), 0 }, p);
    }

    [Fact]
    public void AllMaskedGivesNoMoveAndTheFloorBoundsTheScale()
    {
        Assert.Equal(new double[3], MaskedStep([1, 1, 1], [-1, -1, -1], CautiousNormalization.ClampedMean));
        Assert.Equal(1000.0, Cautious<double>.Scale(CautiousNormalization.ClampedMean, 0, 5000));
        Assert.Equal(1.0, Cautious<double>.Scale(CautiousNormalization.ClampedMean, 7, 7));
    }

    /// <summary>C-AdamW per the paper's Algorithm 2 (mask on the Adam direction vs g, decay unmasked).</summary>
    [Fact]
    public void CautiousAdamwThreeStepsMatchThePaper()
    {
        double[] p0 = [0.5, -1.5, 2.0, 0.1], a = [1, 3, 0.5, -2], c = [1, 1, 1, 1];
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        var got = TestObjectives.Trace(Optim.CautiousAdamW<double>(lr, b1, b2, eps, wd), p0, a, c, 3);
        var p = (double[])p0.Clone();
        var m = new double[4];
        var v = new double[4];
        for (int t = 1; t <= 3; t++)
        {
            var g = new double[4];
            TestObjectives.Gradient(p, a, c, g);
            var u = new double[4];
            for (int i = 0; i < 4; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                u[i] = m[i] / (1 - Math.Pow(b1, t)) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
            }
            int kept = Enumerable.Range(0, 4).Count(i => u[i] * g[i] > 0);
            double scale = 1 / Math.Max(kept / 4.0, 1e-3);
            for (int i = 0; i < 4; i++) p[i] -= lr * ((u[i] * g[i] > 0 ? u[i] * scale : 0) + wd * p[i]);
            TestObjectives.Close(p, got[t - 1], $"step {t}");
        }
    }

    [Fact]
    public void CautiousLionThreeStepsMatchThePaper()
    {
        // Momentum from a first gradient pointing the other way makes some signs disagree at steps 2-3.
        double[] p0 = [0.5, -1.5, 2.0, 0.1], a = [1, 3, 0.5, -2], c = [1, -1, 3, 0];
        double lr = 0.3, b1 = 0.9, b2 = 0.99, wd = 0.05;
        var got = TestObjectives.Trace(Optim.CautiousLion<double>(lr, b1, b2, wd), p0, a, c, 3);
        var p = (double[])p0.Clone();
        var m = new double[4];
        for (int t = 1; t <= 3; t++)
        {
            var g = new double[4];
            TestObjectives.Gradient(p, a, c, g);
            var u = new double[4];
            for (int i = 0; i < 4; i++)
            {
                u[i] = Math.Sign(b1 * m[i] + (1 - b1) * g[i]);
                m[i] = b2 * m[i] + (1 - b2) * g[i];
            }
            int kept = Enumerable.Range(0, 4).Count(i => u[i] * g[i] > 0);
            double scale = 1 / Math.Max(kept / 4.0, 1e-3);
            for (int i = 0; i < 4; i++) p[i] -= lr * ((u[i] * g[i] > 0 ? u[i] * scale : 0) + wd * p[i]);
            TestObjectives.Close(p, got[t - 1], $"step {t}");
        }
    }

    [Fact]
    public void ConvergesOnAQuadratic()
    {
        var x = TestObjectives.Minimize(Optim.CautiousAdamW<double>(0.05, weightDecay: 0, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.TwoCurvatures, [4, 3], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-12);
        x = TestObjectives.Minimize(Optim.CautiousLion<double>(0.03, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.TwoCurvatures, [4, 3], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.TwoCurvatures, x) < 1e-9);
    }

    [Fact]
    public void ConvergesOnRosenbrock()
    {
        var x = TestObjectives.Minimize(Optim.CautiousAdamW<double>(0.05, weightDecay: 0, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.Rosenbrock, [-1.2, 1], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-6, $"C-AdamW f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
        x = TestObjectives.Minimize(Optim.CautiousLion<double>(0.03, learningRateSchedule: new TestObjectives.Cosine(3000)), TestObjectives.Rosenbrock, [-1.2, 1], 3000);
        Assert.True(TestObjectives.Value(TestObjectives.Rosenbrock, x) < 1e-3, $"C-Lion f = {TestObjectives.Value(TestObjectives.Rosenbrock, x)}");
    }

    [Fact]
    public void ValidationAndState()
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.CautiousAdamW<double>(epsilon: -1)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.CautiousLion<double>(beta2: 1.5)).ParamName);
        Assert.Equal("normalization", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.CautiousLion<double>(normalization: (CautiousNormalization)7)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new Cautious<double>(null!));
        var o = Optim.CautiousAdamW<double>();
        o.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Equal(["exp_avg", "exp_avg_sq"], o.StateBuffers.Select(b => b.BufferName));
        Assert.False(o.HasFusedKernel);
        var l = Optim.CautiousLion<double>();
        l.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Equal(["exp_avg"], l.StateBuffers.Select(b => b.BufferName));
    }
}
