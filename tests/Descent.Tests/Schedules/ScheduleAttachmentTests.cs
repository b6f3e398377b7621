using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Tests.Schedules;

/// <summary>
/// From a consumer's view: the learning rate a step actually uses, for every schedule type attached through the factories'
/// <c>learningRateSchedule</c> argument and through <see cref="Optimizer{T}.SetSchedule"/>. Plain SGD with gradient 1 on a
/// parameter reset to 0 before each step moves it by exactly -lr, so the rate is read off the parameter. The expected values
/// are each schedule's documented formula written out by hand (base rate 0.01; absolute schedules ignore it).
/// </summary>
public class ScheduleAttachmentTests
{
    private const double Base = 0.01;

    private static double Cos(double phase) => (1 + Math.Cos(Math.PI * phase)) / 2;

    // PyTorch OneCycleLR, cos anneal: phase 1 runs steps 0..pct*total-1 from max/div to max.
    private static double OneCycleUp(double t) => 0.1 + (0.1 / 25 - 0.1) * Cos(t / 29);

    public static TheoryData<string, double, double, double> Rates => new()
    {
        // schedule text, learning rate used at step 0, 1, 10
        { "constant()", Base, Base, Base },
        { "constant(0.5)", Base * 0.5, Base * 0.5, Base * 0.5 },
        { "step(size=5, gamma=0.5)", Base, Base, Base * 0.25 },
        { "multistep([1, 10], gamma=0.1)", Base, Base * 0.1, Base * 0.01 },
        { "exp(rate=0.9)", Base, Base * 0.9, Base * Math.Pow(0.9, 10) },
        { "invtime(rate=0.5)", Base, Base / 1.5, Base / 6 },
        { "invsqrt(4)", Base, Base / Math.Sqrt(1.25), Base / Math.Sqrt(3.5) },
        { "poly(total=20, power=2)", Base, Base * 0.95 * 0.95, Base * 0.25 },
        { "linear(20, start=1, end=0)", Base, Base * 0.95, Base * 0.5 },
        { "piecewise([1, 10], [1, 0.5, 0.1])", Base, Base * 0.5, Base * 0.1 },
        { "cosine(20)", Base, Base * Cos(1.0 / 20), Base * 0.5 },
        { "sgdr(period=8)", Base, Base * Cos(1.0 / 8), Base * Cos(2.0 / 8) },
        { "warmup(4)", 0, Base * 0.25, Base },
        { "wsd(total=20, warmup=4, decay=5)", 0, Base * 0.25, Base },
        { "warmup(4) >> cosine(16)", 0, Base * 0.25, Base * Cos(6.0 / 16) },
        { "perepoch(step(size=1, gamma=0.5), steps=5)", Base, Base, Base * 0.25 },
        { "scale(cosine(20), factor=2)", 2 * Base, 2 * Base * Cos(1.0 / 20), Base },
        { "plateau()", Base, Base, Base },
        // Absolute schedules: the rate is the schedule's value, whatever the optimizer's base rate.
        { "cyclic(base=0.001, max=0.01, up=10)", 0.001, 0.001 + 0.009 * 0.1, 0.01 },
        { "onecycle(max=0.1, total=100)", 0.1 / 25, OneCycleUp(1), OneCycleUp(10) },
    };

    private static double[] RatesUsed(Optimizer<double> optimizer, int steps)
    {
        var p = new double[1];
        var g = new[] { 1.0 };
        optimizer.AddGroup(new Parameter<double>("p", p, g));
        var used = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            p[0] = 0;
            optimizer.Step();
            used[t] = -p[0];
        }
        return used;
    }

    private static void AssertRates(double[] used, double at0, double at1, double at10, string what)
    {
        foreach (var (step, expected) in new[] { (0, at0), (1, at1), (10, at10) })
        {
            double tolerance = 1e-12 * Math.Max(Math.Abs(expected), 1e-300);
            Assert.True(Math.Abs(used[step] - expected) <= tolerance, $"{what}: step {step} used {used[step]:R}, documented {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Rates))]
    public void TheFactoryArgumentGivesTheDocumentedRate(string text, double at0, double at1, double at10)
        => AssertRates(RatesUsed(Optim.Sgd<double>(Base, learningRateSchedule: ScheduleText.Parse(text)), 11), at0, at1, at10, text);

    [Theory]
    [MemberData(nameof(Rates))]
    public void SetScheduleGivesTheDocumentedRate(string text, double at0, double at1, double at10)
        => AssertRates(RatesUsed(OptimizerCatalog.Create<double>($"sgd(lr={Base})").SetSchedule(ScheduleText.Parse(text)), 11), at0, at1, at10, text);

    [Fact]
    public void TheIssueExampleStarts1cycleAtMaxOverDiv()
    {
        var used = RatesUsed(Optim.Sgd<double>(0.01, learningRateSchedule: new OneCycle(0.1, 100)), 1);
        Assert.Equal(0.004, used[0], 15);
    }

    private sealed record Halving : ISchedule
    {
        public double At(long step) => Math.Pow(0.5, step);
    }

    [Fact]
    public void AForeignScheduleIsAFactorOfTheBaseRate()
        => AssertRates(RatesUsed(Optim.Sgd<double>(Base, learningRateSchedule: new Halving()), 11), Base, Base / 2, Base / 1024, "foreign");

    [Fact]
    public void AScheduleThatDrivesMomentumDrivesBeta1OrSgdMomentum()
    {
        var schedule = new OneCycle(0.1, 100);
        var adam = Optim.Adam<double>(learningRateSchedule: schedule);
        Assert.Equal(schedule.MomentumAt(0)!.Value, adam.GetDefault(HyperparameterKey.Beta1).At(0));
        Assert.Equal(schedule.MomentumAt(10)!.Value, adam.GetDefault(HyperparameterKey.Beta1).At(10));
        var momentum = Optim.Sgd<double>(0.01, momentum: 0.9, learningRateSchedule: schedule);
        Assert.Equal(schedule.MomentumAt(10)!.Value, momentum.GetDefault(HyperparameterKey.Momentum).At(10));
        var plain = Optim.Sgd<double>(0.01, learningRateSchedule: schedule);
        Assert.Equal(0, plain.GetDefault(HyperparameterKey.Momentum).At(10)); // no momentum to drive: SGD stays plain, as PyTorch
        var noCycle = Optim.Adam<double>(beta1: 0.8, learningRateSchedule: new OneCycle(0.1, 100, CycleMomentum: false));
        Assert.Equal(0.8, noCycle.GetDefault(HyperparameterKey.Beta1).At(10));
    }

    [Fact]
    public void AnyKeyCanFollowAFactorOrAnAbsoluteSchedule()
    {
        var o = Optim.AdamW<double>(weightDecay: 0.1);
        o.SetSchedule(new Cosine(10), HyperparameterKey.WeightDecay);
        Assert.Equal(0.05, o.GetDefault(HyperparameterKey.WeightDecay).At(5), 15);
        o.SetSchedule(new Cyclic(0.8, 0.9, 5), HyperparameterKey.Beta1);
        Assert.Equal(0.9, o.GetDefault(HyperparameterKey.Beta1).At(5), 15);
        var e = Assert.Throws<InvalidOperationException>(() => o.SetSchedule(new Cosine(10), HyperparameterKey.Beta1));
        Assert.Contains("absolute", e.Message);
        Assert.Throws<ArgumentException>(() => o.SetSchedule(new Cosine(10), HyperparameterKey.Momentum));
    }
}
