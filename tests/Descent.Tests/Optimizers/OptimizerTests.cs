using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Tests.Optimizers;

/// <summary>
/// <see cref="Optimizer{T}"/> itself (<c>Optimizer.cs</c>) over the classic optimizers: zero gradients, per-group overrides,
/// maximize, scheduled hyperparameters, validation at construction, custom chains.
/// </summary>
public class OptimizerTests
{
    public static TheoryData<string> All() => new(AllFactories.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, Func<double, Optimizer<double>>> AllFactories = new()
    {
        ["sgd"] = lr => Optim.Sgd<double>(lr, momentum: 0.9),
        ["adam"] = lr => Optim.Adam<double>(lr, amsgrad: true),
        ["adamw"] = lr => Optim.AdamW<double>(lr, weightDecay: 0),
        ["adagrad"] = lr => Optim.AdaGrad<double>(lr),
        ["rmsprop"] = lr => Optim.RmsProp<double>(lr, centered: true, momentum: 0.5),
        ["nadam"] = lr => Optim.NAdam<double>(lr),
        ["radam"] = lr => Optim.RAdam<double>(lr),
        ["adadelta"] = lr => Optim.Adadelta<double>(lr),
        ["adamax"] = lr => Optim.Adamax<double>(lr),
    };

    [Theory]
    [MemberData(nameof(All))]
    public void ZeroGradientLeavesParametersUnchanged(string name)
    {
        foreach (bool fused in new[] { true, false })
        {
            var o = AllFactories[name](0.1);
            o.UseFusedKernels = fused;
            var (v, _) = TestObjectives.RandomBuffers(37, 1);
            var before = (double[])v.Clone();
            o.AddGroup(new Parameter<double>("w", v, new double[37]));
            for (int i = 0; i < 3; i++) o.Step();
            Assert.Equal(before, v);
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void GroupWithTinyLearningRateStaysBitIdentical(string name)
    {
        var o = AllFactories[name](0.1);
        var (a, ga) = TestObjectives.RandomBuffers(19, 2);
        var (b, gb) = TestObjectives.RandomBuffers(23, 3);
        var aBefore = (double[])a.Clone();
        var bBefore = (double[])b.Clone();
        o.AddGroup(new Parameter<double>("a", a, ga));
        o.AddGroup(new Parameter<double>("b", b, gb)).Set(HyperparameterKey.LearningRate, 1e-28);
        for (int i = 0; i < 3; i++) o.Step();
        Assert.NotEqual(aBefore, a);
        Assert.Equal(bBefore.Select(BitConverter.DoubleToInt64Bits), b.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(1e-28, o.Groups[1].LearningRate);
    }

    [Fact]
    public void MaximizeEqualsMinimizingTheNegatedGradientForEveryOptimizer()
    {
        var max = new Func<Optimizer<double>>[]
        {
            () => Optim.Sgd<double>(0.1, momentum: 0.9, nesterov: true, maximize: true), () => Optim.Adam<double>(maximize: true, weightDecay: 0.1),
            () => Optim.AdamW<double>(maximize: true), () => Optim.AdaGrad<double>(maximize: true), () => Optim.RmsProp<double>(maximize: true),
            () => Optim.NAdam<double>(maximize: true), () => Optim.RAdam<double>(maximize: true), () => Optim.Adadelta<double>(maximize: true),
            () => Optim.Adamax<double>(maximize: true),
        };
        var min = new Func<Optimizer<double>>[]
        {
            () => Optim.Sgd<double>(0.1, momentum: 0.9, nesterov: true), () => Optim.Adam<double>(weightDecay: 0.1), () => Optim.AdamW<double>(),
            () => Optim.AdaGrad<double>(), () => Optim.RmsProp<double>(), () => Optim.NAdam<double>(), () => Optim.RAdam<double>(),
            () => Optim.Adadelta<double>(), () => Optim.Adamax<double>(),
        };
        for (int k = 0; k < max.Length; k++)
        {
            var (v1, g) = TestObjectives.RandomBuffers(33, k);
            var v2 = (double[])v1.Clone();
            var neg = g.Select(x => -x).ToArray();
            var a = max[k]();
            var b = min[k]();
            a.AddGroup(new Parameter<double>("w", v1, g));
            b.AddGroup(new Parameter<double>("w", v2, neg));
            for (int i = 0; i < 3; i++) { a.Step(); b.Step(); }
            Assert.Equal(v2, v1);
            // Ascending: with weight decay 0 the parameters move along +gradient on the first step for SGD.
        }
        var (w, grad) = TestObjectives.RandomBuffers(5, 9);
        var start = (double[])w.Clone();
        var sgd = Optim.Sgd<double>(0.1, maximize: true);
        sgd.AddGroup(new Parameter<double>("w", w, grad));
        sgd.Step();
        for (int i = 0; i < 5; i++) Assert.Equal(start[i] + 0.1 * grad[i], w[i], 15);
    }

    [Fact]
    public void InvalidHyperparametersAreRejectedNamingTheParameterAndRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Sgd<double>(-1));
        Assert.Equal("learningRate", e.ParamName);
        Assert.Contains("[0, +inf)", e.Message);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adam<double>(double.NaN)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.AdamW<double>(double.PositiveInfinity)).ParamName);
        var b = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Adam<double>(beta1: 1.0));
        Assert.Equal("beta1", b.ParamName);
        Assert.Contains("[0, 1)", b.Message);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.NAdam<double>(beta2: -0.1)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.RmsProp<double>(epsilon: -1e-8)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.AdamW<double>(weightDecay: -0.01)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Sgd<double>(momentum: double.NaN)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => Optim.Sgd<double>(0.1, nesterov: true)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => Optim.Sgd<double>(0.1, momentum: 0.9, dampening: 0.1, nesterov: true)).ParamName);
        var o = Optim.Adam<double>();
        var group = o.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Set(HyperparameterKey.LearningRate, -1));
        Assert.Throws<ArgumentException>(() => group.Set(HyperparameterKey.Momentum, 0.9)); // Adam has no momentum
    }

    [Fact]
    public void PerGroupOverridesEqualSeparateOptimizers()
    {
        var (w, gw) = TestObjectives.RandomBuffers(10, 4);
        var (bias, gb) = TestObjectives.RandomBuffers(3, 5);
        var w2 = (double[])w.Clone();
        var b2 = (double[])bias.Clone();
        var o = Optim.AdamW<double>(1e-2, weightDecay: 0.1);
        o.AddGroup(new Parameter<double>("w", w, gw));
        o.AddGroup(new Parameter<double>("b", bias, gb)).Set(HyperparameterKey.WeightDecay, 0).Set(HyperparameterKey.LearningRate, 1e-3);
        var ow = Optim.AdamW<double>(1e-2, weightDecay: 0.1);
        ow.AddGroup(new Parameter<double>("w", w2, (double[])gw.Clone()));
        var ob = Optim.AdamW<double>(1e-3, weightDecay: 0);
        ob.AddGroup(new Parameter<double>("b", b2, (double[])gb.Clone()));
        for (int i = 0; i < 3; i++) { o.Step(); ow.Step(); ob.Step(); }
        Assert.Equal(w2, w);
        Assert.Equal(b2, bias);
        Assert.Equal(1e-3, o.Groups[1].LearningRate);
        Assert.Equal(1e-2, o.Groups[0].LearningRate);
    }

    [Fact]
    public void ScheduledMomentumFollowsTheSchedule()
    {
        // b1 = g1; b_t = m_t b_{t-1} + g_t; p -= lr b_t, with m_t from the schedule (index t-1).
        double[] m = [0.9, 0.5, 0.1, 0.0];
        var o = Optim.Sgd<double>(0.1, momentum: 0.9);
        o.Set(HyperparameterKey.Momentum, Hyperparameter.Scheduled(new TestObjectives.ListSchedule(m)));
        double[] p = [1.0];
        double[] g = [0];
        o.AddGroup(new Parameter<double>("x", p, g));
        double[] grads = [1, 2, -1, 3];
        double expected = 1, buffer = 0;
        for (int t = 0; t < grads.Length; t++)
        {
            g[0] = grads[t];
            o.Step();
            buffer = t == 0 ? grads[t] : m[t] * buffer + grads[t];
            expected -= 0.1 * buffer;
            Assert.Equal(expected, p[0], 14);
        }
    }

    [Fact]
    public void ScheduledBeta1EqualsConstantBeta1WhileEqualAndDiffersAfter()
    {
        var a = Optim.Adam<double>(0.1);
        a.Set(HyperparameterKey.Beta1, Hyperparameter.Scheduled(new TestObjectives.ListSchedule([0.8, 0.8, 0.3])));
        var b = Optim.Adam<double>(0.1, beta1: 0.8);
        double[] pa = [1, -1], pb = [1, -1];
        double[] g = [0.3, 0.7];
        a.AddGroup(new Parameter<double>("x", pa, g));
        b.AddGroup(new Parameter<double>("x", pb, (double[])g.Clone()));
        a.Step(); b.Step(); a.Step(); b.Step();
        Assert.Equal(pb, pa);
        a.Step(); b.Step();
        Assert.NotEqual(pb, pa);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Set(HyperparameterKey.Beta1, Hyperparameter.Scheduled(new TestObjectives.ListSchedule([1.5]))));
    }

    [Fact]
    public void LearningRateScheduleIsReportedPerGroup()
    {
        var o = Optim.Sgd<double>(0.1, learningRateSchedule: new TestObjectives.ListSchedule([1, 0.5, 0.25]));
        o.AddGroup(new Parameter<double>("x", new double[1], new double[1]));
        Assert.Equal(0.1, o.Groups[0].LearningRate);
        o.Step();
        Assert.Equal(0.05, o.Groups[0].LearningRate);
    }

    [Fact]
    public void ClipByValueRuleComposes()
    {
        var rule = new Descent.Optimizers.Rules.ClipByValue<double>(-1, 1);
        var o = Optim.Chain("clipped-sgd", new() { [HyperparameterKey.LearningRate] = 0.5 }, rule, new Descent.Optimizers.Rules.ScaleByLearningRate<double>());
        Assert.False(o.HasFusedKernel);
        double[] p = [0, 0, 0];
        o.AddGroup(new Parameter<double>("x", p, new double[] { 5, -0.5, -7 }));
        o.Step();
        Assert.Equal([-0.5, 0.25, 0.5], p);
    }
}
