using Descent.Optimizers;
using Descent.Text;

namespace Descent.Tests.Optimizers;

public class OptimizerCatalogTests
{
    [Theory]
    [InlineData("sgd(lr=0.1, momentum=0.9, nesterov=true)")]
    [InlineData("adamw(lr=3e-3, weight_decay=0.01)")]
    [InlineData("rmsprop(lr=1e-3, centered=true)")]
    [InlineData("adam(betas=[0.9,0.999])")]
    [InlineData("adam(beta1=0.8, beta2=0.99, amsgrad=true, eps_placement=hat)")]
    [InlineData("adamw(decay_mode=schedule, eps_placement=inside)")]
    [InlineData("adagrad(0.05, lr_decay=0.01, initial_accumulator_value=0.1)")]
    [InlineData("nadam(momentum_decay=0.004)")]
    [InlineData("radam()")]
    [InlineData("adadelta(rho=0.95)")]
    [InlineData("adamax(lr=0.002)")]
    [InlineData("amsgrad()")]
    [InlineData("momentum(lr=0.1)")]
    [InlineData("nesterov()")]
    public void TextRoundTrips(string text)
    {
        var spec = OptimizerCatalog.Parse(text);
        var again = OptimizerCatalog.Parse(spec.ToString());
        Assert.Equal(spec, again);
        Assert.Equal(spec.ToString(), again.ToString());
        Assert.NotNull(spec.Create<float>());
    }

    [Fact]
    public void DefaultsArePytorchAndOptionsReachTheOptimizer()
    {
        var adamw = OptimizerCatalog.Parse("adamw()");
        Assert.Equal(1e-3, adamw.Number("lr"));
        Assert.Equal(1e-2, adamw.Number("weight_decay"));
        Assert.Equal((0.9, 0.999), adamw.Pair("betas"));
        Assert.Equal(0.01, OptimizerCatalog.Parse("sgd()").Number("lr"));
        Assert.Equal(0.8, OptimizerCatalog.Parse("adam(betas=[0.9, 0.999], beta1=0.8)").Pair("betas").First);
        Assert.True(OptimizerCatalog.Parse("amsgrad()").Boolean("amsgrad"));
        var o = OptimizerCatalog.Create<double>("sgd(0.25, momentum=0.5)");
        Assert.Equal(0.25, o.GetDefault(HyperparameterKey.LearningRate).Value);
        Assert.Equal(0.5, o.GetDefault(HyperparameterKey.Momentum).Value);
        Assert.Equal("sgd", o.Kind);
    }

    [Theory]
    [InlineData("adam(lr=1e-3, momentum=0.9)", "momentum")]
    [InlineData("sgdd(lr=0.1)", "Unknown optimizer")]
    [InlineData("sgd(lr=-1)", "lr must be")]
    [InlineData("adam(betas=[0.9])", "two numbers")]
    [InlineData("sgd(nesterov=true)", "nesterov")]
    [InlineData("adam(eps_placement=middle)", "one of")]
    [InlineData("lion(lr=-1)", "lr must be")]
    [InlineData("lamb(betas=[1.5, 0.9])", "beta1")]
    [InlineData("ademamix(warmup=1.5)", "warmup")]
    [InlineData("adafactor(bogus=1)", "bogus")]
    [InlineData("muon(ns_steps=2.5)", "ns_steps")]
    [InlineData("schedule_free_adamw(warmup_steps=-1)", "warmup_steps")]
    public void InvalidTextIsRejectedWithAPosition(string text, string fragment)
    {
        var e = Assert.Throws<TextFormatException>(() => OptimizerCatalog.Parse(text));
        Assert.Contains(fragment, e.Message);
        Assert.Contains("^", e.Message);
    }

    /// <summary>Every entry's bare form and every variant its definition lists.</summary>
    public static TheoryData<string> EveryEntryAndVariant()
    {
        var data = new TheoryData<string>();
        foreach (var d in OptimizerCatalog.All)
        {
            data.Add(d.Name + "()");
            foreach (var v in d.Variants) data.Add(v);
        }
        return data;
    }

    public static TheoryData<string> Names() => new(OptimizerCatalog.All.Select(d => d.Name));

    [Fact]
    public void NamesAreUniqueAndVariantsBelongToTheirEntry()
    {
        Assert.Equal(OptimizerCatalog.All.Count, OptimizerCatalog.All.Select(d => d.Name).Distinct().Count());
        foreach (var d in OptimizerCatalog.All)
            foreach (var v in d.Variants) Assert.Equal(d.Name, OptimizerCatalog.Parse(v).Name);
    }

    [Theory]
    [MemberData(nameof(EveryEntryAndVariant))]
    public void TextCreatesTheOptimizerOfItsKindWhichRoundTripsAndSteps(string text)
    {
        var spec = OptimizerCatalog.Parse(text);
        Assert.Equal(spec, OptimizerCatalog.Parse(spec.ToString()));
        var optimizer = spec.Create<double>();
        Assert.Contains(optimizer.Kind, OptimizerCatalog.All.Select(d => d.Name)); // presets (momentum, amsgrad) report their base entry's kind
        var value = new double[] { 1, -2, 3, 0.5 };
        var gradient = new double[] { 0.1, -0.2, 0.3, 0.4 };
        optimizer.AddGroup(new Parameter<double>("w", value, gradient, [2, 2]));
        var before = (double[])value.Clone();
        optimizer.Step();
        optimizer.Step();
        Assert.NotEqual(before, value);
        Assert.All(value, v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ZeroGradientLeavesParametersUnchanged(string name)
    {
        var definition = OptimizerCatalog.All.Single(d => d.Name == name);
        var optimizer = OptimizerCatalog.Create<double>(name + "()");
        if (optimizer.Keys.Contains(HyperparameterKey.WeightDecay)) optimizer.Set(HyperparameterKey.WeightDecay, 0); // decay moves parameters by itself
        var value = new double[] { 1.5, -2, 0.25, 3, 0, -1 };
        var start = (double[])value.Clone();
        optimizer.AddGroup(new Parameter<double>("w", value, new double[6], [2, 3]));
        for (int k = 0; k < 3; k++) optimizer.Step();
        if (definition.ZeroGradientIsNoOp) Assert.Equal(start, value);
        else Assert.NotEqual(start, value); // the method moves parameters by itself (ASGD's λ decay, FTRL's closed form), as its reference does
        Assert.All(optimizer.StateBuffers, b => Assert.All(b.Values.ToArray(), x => Assert.True(double.IsFinite(x), $"{b.BufferName} not finite")));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FloatWithDefaultsDecreasesAQuadraticAndStaysFinite(string name)
    {
        var o = OptimizerCatalog.Create<float>(name + "()");
        var x = new float[] { 4, 3, -1, 0.5f, 2, -3 };
        var g = new float[6];
        o.AddGroup(new Parameter<float>("x", x, g, [2, 3]));
        static float F(float[] x, float[] g)
        {
            float f = 0;
            for (int i = 0; i < x.Length; i++)
            {
                float a = i + 1;
                g[i] = a * (x[i] - 1);
                f += 0.5f * a * (x[i] - 1) * (x[i] - 1);
            }
            return f;
        }
        float f0 = F(x, g);
        for (int k = 0; k < 50; k++)
        {
            F(x, g);
            o.Step();
        }
        float f1 = F(x, g);
        Assert.True(f1 < f0, $"{name}: {f0} -> {f1}");
        Assert.All(x, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void LoadingASnapshotOfAnotherKindFails()
    {
        var lion = Optim.Lion<double>();
        lion.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        var adopt = Optim.Adopt<double>();
        adopt.AddGroup(new Parameter<double>("w", new double[3], new double[3]));
        Assert.Throws<ArgumentException>(() => lion.LoadState(adopt.SaveState()));
    }

    [Fact]
    public void AdoptAndAdEMAMixTakeDifferentSteps()
    {
        static double[] ThreeSteps(string text)
        {
            var optimizer = OptimizerCatalog.Create<double>(text);
            var value = new double[] { 0.5, -1, 2, 0.25 };
            var gradient = new double[4];
            optimizer.AddGroup(new Parameter<double>("w", value, gradient));
            for (int t = 0; t < 3; t++)
            {
                for (int i = 0; i < value.Length; i++) gradient[i] = value[i] * (i + 1) + 0.1 * t;
                optimizer.Step();
            }
            return value;
        }
        Assert.NotEqual(ThreeSteps("adopt(lr=1e-3)"), ThreeSteps("ademamix(lr=1e-3)"));
    }

    [Fact]
    public void EveryEntryBuildsInBothPrecisions()
    {
        foreach (var d in OptimizerCatalog.All)
        {
            var spec = OptimizerCatalog.Parse($"{d.Name}()");
            Assert.NotNull(spec.Create<double>());
            Assert.NotNull(spec.Create<float>());
        }
    }
}
