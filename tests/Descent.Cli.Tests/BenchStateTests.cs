using System.Text.Json;
using Descent.Lab.Benchmarks;
using Descent.Optimizers;

namespace Descent.Cli.Tests;

/// <summary><c>descent bench --state</c>: one row per optimizer and state precision, with the state's bytes.</summary>
public class BenchStateTests
{
    [Fact]
    public void JsonResultsCarryStateAndStateBytes()
    {
        var output = new StringWriter();
        const int n = 1 << 16;
        var options = new OptimizerBenchOptions(["adamw", "lion"], n, 1, 1, false, Repeats: 2, Warmup: 0, WarmupSeconds: 0,
            States: [StatePrecision.Float32, StatePrecision.BFloat16, StatePrecision.Int8]);
        Assert.Equal(ExitCodes.Success, Commands.BenchCommand.Run(options, json: true, output, TextWriter.Null));
        using var doc = JsonDocument.Parse(output.ToString());
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(6, results.Length);
        long Bytes(string optimizer, string state) => results.Single(r => r.GetProperty("optimizer").GetString() == optimizer
            && r.GetProperty("state").GetString() == state).GetProperty("state_bytes").GetInt64();
        Assert.Equal(8L * n, Bytes("adamw", "float32"));
        Assert.Equal(4L * n, Bytes("adamw", "bfloat16"));
        Assert.Equal(2L * n + 8 * (n / 2048), Bytes("adamw", "int8"));
        Assert.Equal(n + 4 * (n / 2048), Bytes("lion", "int8"));
        Assert.All(results, r => Assert.True(r.GetProperty("speedup_over_float32").GetDouble() > 0));
    }

    [Fact]
    public void CompactStateNeedsFloat()
    {
        var options = new OptimizerBenchOptions(["adamw"], 1000, 1, 1, true, States: [StatePrecision.Int8]);
        Assert.Throws<ArgumentException>(options.Validate);
    }
}
