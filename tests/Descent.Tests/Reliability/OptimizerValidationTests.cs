using Descent.Optimizers;
using Descent.Text;

namespace Descent.Tests.Reliability;

/// <summary>
/// Catalog-driven (iterates over whatever <see cref="OptimizerCatalog.All"/> lists at run time): non-finite gradient
/// policies change nothing, a gradient of the wrong length is refused before anything is modified, and invalid numeric
/// hyperparameters in the text form fail with a message naming the option.
/// </summary>
public class OptimizerValidationTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var d in OptimizerCatalog.All) data.Add(d.Name);
        return data;
    }

    private static (Optimizer<double> Opt, double[] W, double[] G) Build(string name)
    {
        var opt = OptimizerCatalog.Create<double>(name + "()");
        var w = new double[] { 0.5, -1.5, 2.0, 0.25, -0.75 };
        var g = new double[] { 0.1, -0.2, 0.3, -0.4, 0.5 };
        opt.AddGroup(new Parameter<double>("w", w, g));
        for (int i = 0; i < 3; i++) opt.Step(); // non-trivial state
        return (opt, w, g);
    }

    private static string Snapshot(Optimizer<double> opt, double[] w) =>
        string.Join("|", w.Select(x => x.ToString("R"))) + "#" + opt.StepCount + "#" +
        string.Join(";", opt.ParameterStates.Select(s => s.Step + ":" + string.Join(",", s.Buffers.Select(b => b.Key + "=" + string.Join(" ", b.Value.Select(x => x.ToString("R"))))) +
            ":" + string.Join(",", s.Scalars.Select(x => x.Name + "=" + x.Value.ToString("R")))));

    [Theory, MemberData(nameof(Names))]
    public void SkipStepAndThrowChangeNothing(string name)
    {
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var (opt, w, g) = Build(name);
            g[2] = bad;
            string before = Snapshot(opt, w);
            opt.NonFinitePolicy = NonFinitePolicy.SkipStep;
            long skipped = opt.SkippedSteps;
            opt.Step();
            Assert.Equal(before, Snapshot(opt, w));
            Assert.Equal(skipped + 1, opt.SkippedSteps);
            opt.NonFinitePolicy = NonFinitePolicy.Throw;
            Assert.Throws<ArithmeticException>(opt.Step);
            Assert.Equal(before, Snapshot(opt, w));
            Assert.Equal(skipped + 1, opt.SkippedSteps);
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void WrongGradientLengthIsRefusedAndChangesNothing(string name)
    {
        var (opt, w, _) = Build(name);
        string before = Snapshot(opt, w);
        var p = opt.Groups[0].Parameters[0];
        var e = Assert.Throws<ArgumentException>(() => p.Gradient = new double[4]);
        Assert.Contains("'w'", e.Message);
        Assert.Throws<ArgumentException>(() => new Parameter<double>("v", new double[3], new double[2]));
        opt.Step(); // still usable with its own gradient
        Assert.NotEqual(before, Snapshot(opt, w));
    }

    // Every probe outside the option's declared range must be refused; probes inside it (Prodigy's unbounded growth_rate=inf,
    // Adafactor's clip_threshold=inf and negative decay_rate, FTRL's learning_rate_power=-1) are valid settings, not errors.
    public static TheoryData<string, string, string> BadNumbers()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var d in OptimizerCatalog.All)
            foreach (var o in d.Options.Where(o => o.Kind == OptionKind.Number))
                foreach (var (bad, value) in new[] { ("nan", double.NaN), ("inf", double.PositiveInfinity), ("-inf", double.NegativeInfinity), ("-1", -1.0) })
                    if (!o.Range!.Contains(value))
                        data.Add(d.Name, o.Name, bad);
        return data;
    }

    [Theory, MemberData(nameof(BadNumbers))]
    public void InvalidNumericHyperparametersFailNamingTheOption(string optimizer, string option, string bad)
    {
        string text = $"{optimizer}({option}={bad})";
        Exception e = Record.Exception(() => OptimizerCatalog.Create<double>(text))!;
        Assert.True(e is TextFormatException or ArgumentException, $"{text}: {e?.GetType().Name ?? "accepted"}");
        string message = e!.Message;
        Assert.True(message.Contains(option, StringComparison.Ordinal) || message.Contains(bad, StringComparison.Ordinal), $"{text}: '{message}' names neither the option nor the value");
    }

    [Fact]
    public void EveryOptionDeclaresItsRangeAndNamesAndItsDefaultLiesInRange()
    {
        foreach (var d in OptimizerCatalog.All)
        {
            Assert.Equal(d.Options.Count, d.Options.Select(o => o.Name).Distinct().Count());
            foreach (var o in d.Options)
            {
                string where = $"{d.Name}: {o.Name}";
                Assert.False(o.PyTorchName is "", where);
                Assert.False(o.OptaxName is "", where);
                switch (o.Kind)
                {
                    case OptionKind.Number:
                        Assert.True(o.Range is not null, $"{where} has no range");
                        Assert.True(o.Range!.Contains((double)o.Default), $"{where}: default {o.DefaultText} is outside {o.Range}");
                        break;
                    case OptionKind.Pair:
                        Assert.True(o.Range is not null, $"{where} has no range");
                        foreach (double v in (double[])o.Default) Assert.True(o.Range!.Contains(v), $"{where}: default {o.DefaultText} is outside {o.Range}");
                        break;
                    default:
                        Assert.True(o.Range is null, $"{where}: a {o.Kind} option has no numeric range");
                        break;
                }
                // A key's option accepts at most what the key table accepts (the table's range is the one per-group overrides use).
                if (o.Key is { } k)
                {
                    var key = Hyperparameters.Info(k);
                    Assert.Equal(key.TextName, o.Name);
                    Assert.True(key.Range.Covers(o.Range!), $"{where}: {o.Range} is wider than the key's {key.Range}");
                }
            }
        }
    }

    /// <summary>Values just outside each finite end of a declared range (and a fraction for whole-number ranges).</summary>
    public static TheoryData<string, string, double> JustOutside()
    {
        var data = new TheoryData<string, string, double>();
        foreach (var d in OptimizerCatalog.All)
            foreach (var o in d.Options.Where(o => o.Kind == OptionKind.Number))
            {
                var r = o.Range!;
                if (double.IsFinite(r.Minimum)) data.Add(d.Name, o.Name, r.MinimumIncluded ? Math.BitDecrement(r.Minimum) - 1e-9 : r.Minimum);
                if (double.IsFinite(r.Maximum)) data.Add(d.Name, o.Name, r.MaximumIncluded ? Math.BitIncrement(r.Maximum) + 1e-9 : r.Maximum);
                if (r.WholeNumbers) data.Add(d.Name, o.Name, (double)o.Default + 0.5);
            }
        return data;
    }

    [Theory, MemberData(nameof(JustOutside))]
    public void ConstructionRefusesValuesJustOutsideTheDeclaredRange(string optimizer, string option, double value)
    {
        string text = FormattableString.Invariant($"{optimizer}({option}={value:R})");
        Assert.False(OptimizerCatalog.All.Single(d => d.Name == optimizer).Options.Single(o => o.Name == option).Range!.Contains(value));
        Exception? e = Record.Exception(() => OptimizerCatalog.Create<double>(text));
        Assert.True(e is TextFormatException or ArgumentException, $"{text}: {e?.GetType().Name ?? "accepted"}");
    }
}
