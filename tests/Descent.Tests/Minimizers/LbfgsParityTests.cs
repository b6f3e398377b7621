using Descent.Minimizers;
using Descent.Minimizers.TestProblems;
using Descent.Parity;

namespace Descent.Tests.Minimizers;

public class LbfgsParityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", "optimizers");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Folder, "lbfgs-*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenCasePassesInDouble(string file)
    {
        var result = ParityRunner.Run(Path.Combine(Folder, file));
        Assert.True(result.Passed, $"{result.Name}: {result.Detail} (worst ratio {result.WorstRatio})");
    }

    [Fact]
    public void ThereAreLbfgsCases() => Assert.NotEmpty(Cases());

    [Fact]
    public void TheFullHistoryCasesAreShipped()
    {
        // bench/lbfgs_torch_traces.py: history sizes 1-5 and 10, max_eval, tolerance_grad, tolerance_change, both searches.
        foreach (string mode in new[] { "plain", "wolfe" })
        {
            foreach (string variant in new[] { "h1", "h2", "h3", "h4", "h5", "h10", "maxeval", "tolgrad", "tolchange" })
            {
                Assert.True(File.Exists(Path.Combine(Folder, $"lbfgs-{mode}-{variant}.json")), $"lbfgs-{mode}-{variant}.json");
            }
        }
    }

    [Fact]
    public void FloatReplayIsRefusedWithTheReason()
    {
        var result = ParityRunner.Run(Path.Combine(Folder, "lbfgs-wolfe-h3.json"), ParityPrecision.Float);
        Assert.True(result.Skipped);
        Assert.False(result.Passed);
        Assert.Contains("float refused for LBFGS", result.Detail);
    }

    [Fact]
    public void AWrongEvaluationCountFailsWithBothCounts()
    {
        string text = File.ReadAllText(Path.Combine(Folder, "lbfgs-plain-maxeval.json")).Replace("\"expected_evaluations\": [7,", "\"expected_evaluations\": [8,");
        using var document = System.Text.Json.JsonDocument.Parse(text);
        var result = ParityRunner.Run(document.RootElement, "edited");
        Assert.False(result.Passed);
        Assert.Equal("step 0 closure evaluations: got 7, want 8", result.Detail);
    }

    // float32 cannot follow the 25-iteration chaotic Rosenbrock trace within rtol 1e-4 (the plain case is 800x out by
    // step 3, the Wolfe case spends different evaluations), so float is held to convergence on the same problem instead.
    [Fact]
    public void FloatTorchModeConvergesOnTheWolfeCase()
    {
        var problem = new Rosenbrock();
        float[] x = problem.StartPoint<float>(10);
        var optimizer = new TorchLbfgs<float>(10, new TorchLbfgsOptions { MaxIterations = 25, HistorySize = 10, StrongWolfe = true });
        for (int step = 0; step < 6; step++) optimizer.Step(x, problem.Evaluate);
        foreach (float v in x) Assert.InRange(v, 0.999f, 1.001f);
    }

    [Fact]
    public void PlainModeStateCarriesOverBetweenSteps()
    {
        // Three steps of 20 iterations from the same state equal what the golden file records; a fresh optimizer
        // per step (state lost) would re-scale the first step and land elsewhere.
        var problem = new Rosenbrock();
        double[] carried = problem.StartPoint<double>(4);
        double[] fresh = problem.StartPoint<double>(4);
        var options = new TorchLbfgsOptions { MaxIterations = 20, HistorySize = 10 };
        var optimizer = new TorchLbfgs<double>(4, options);
        for (int step = 0; step < 2; step++)
        {
            optimizer.Step(carried, problem.Evaluate);
            new TorchLbfgs<double>(4, options).Step(fresh, problem.Evaluate);
        }
        Assert.Equal(40, optimizer.FunctionEvaluations);
        Assert.NotEqual(carried[0], fresh[0]);
        Assert.Equal(0.8139268346189787, carried[0], 1e-6);
    }
}
