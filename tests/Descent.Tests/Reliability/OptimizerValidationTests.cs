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
    public void SkipStep_and_Throw_change_nothing(string name)
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
    public void Wrong_gradient_length_is_refused_and_changes_nothing(string name)
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

    // Values that are valid settings, not errors: Prodigy's unbounded growth (its default), Adafactor without update
    // clipping, and Adafactor's decay exponent (negative by definition: beta2_t = 1 - t^decay_rate).
    private static readonly HashSet<(string, string, string)> Meaningful =
    [
        ("prodigy", "growth_rate", "inf"),
        ("adafactor", "clip_threshold", "inf"),
        ("adafactor", "decay_rate", "-1"),
        ("ftrl", "learning_rate_power", "-1"),
    ];

    public static TheoryData<string, string, string> BadNumbers()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var d in OptimizerCatalog.All)
            foreach (var o in d.Options.Where(o => o.Kind == OptionKind.Number))
                foreach (string bad in new[] { "nan", "inf", "-inf", "-1" })
                    if (!Meaningful.Contains((d.Name, o.Name, bad)))
                        data.Add(d.Name, o.Name, bad);
        return data;
    }

    [Theory, MemberData(nameof(BadNumbers))]
    public void Invalid_numeric_hyperparameters_fail_naming_the_option(string optimizer, string option, string bad)
    {
        string text = $"{optimizer}({option}={bad})";
        Exception e = Record.Exception(() => OptimizerCatalog.Create<double>(text))!;
        Assert.True(e is TextFormatException or ArgumentException, $"{text}: {e?.GetType().Name ?? "accepted"}");
        Assert.True(e.Message.Contains(option, StringComparison.Ordinal) || e.Message.Contains(bad, StringComparison.Ordinal), $"{text}: '{e.Message}' names neither the option nor the value");
    }
}
