using System.Text.Json;
using Descent.Lab.Benchmarks;

namespace Descent.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void JsonHasTheReferenceAndOneResultPerOptimizer()
    {
        var output = new StringWriter();
        var options = new OptimizerBenchOptions(OptimizerBench.SplitList("sgd, momentum,adamw,amsgrad, adam(betas=[0.8, 0.99])"), 4096, 4, 2, false, Repeats: 3, Warmup: 1, WarmupSeconds: 0);
        Assert.Equal(ExitCodes.Success, Commands.BenchCommand.Run(options, json: true, output, TextWriter.Null));
        using var doc = JsonDocument.Parse(output.ToString());
        var root = doc.RootElement;
        Assert.True(root.GetProperty("reference_gbps").GetDouble() > 0);
        Assert.True(root.GetProperty("copy_gbps").GetDouble() > 0);
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        var results = root.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["sgd", "momentum", "adamw", "amsgrad", "adam(betas=[0.8, 0.99])"], results.Select(r => r.GetProperty("optimizer").GetString()));
        Assert.Equal([12, 20, 28, 36, 28], results.Select(r => r.GetProperty("min_bytes_per_param").GetInt32()));
        foreach (var r in results)
        {
            Assert.Equal(4096, r.GetProperty("params").GetInt64());
            Assert.Equal(4, r.GetProperty("tensors").GetInt32());
            Assert.Equal("float", r.GetProperty("dtype").GetString());
            double seconds = r.GetProperty("seconds_per_step").GetDouble();
            double gbps = r.GetProperty("effective_gbps").GetDouble();
            Assert.True(seconds > 0);
            Assert.Equal(r.GetProperty("min_bytes_per_param").GetInt32() * 4096 / seconds / 1e9, gbps, 1e-9 * gbps);
            Assert.True(r.GetProperty("reference_gbps").GetDouble() > 0);
            // fraction_of_reference is the median of the interleaved pairs' ratios, inside its reported interval.
            double fraction = r.GetProperty("fraction_of_reference").GetDouble();
            var pairFractions = r.GetProperty("pair_fractions").EnumerateArray().Select(x => x.GetDouble()).Order().ToArray();
            Assert.Equal(10, r.GetProperty("pairs").GetInt32());
            Assert.Equal(10, pairFractions.Length);
            Assert.Equal(0.5 * (pairFractions[4] + pairFractions[5]), fraction, 1e-12);
            var spread = r.GetProperty("fraction_spread").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            Assert.Equal([pairFractions[1], pairFractions[8]], spread);
            Assert.InRange(fraction, spread[0], spread[1]);
            Assert.Equal(1 - 2.0 * 11 / 1024, r.GetProperty("spread_confidence").GetDouble(), 1e-12);
        }
        // WarmupSeconds 0 is below what tiered compilation needs: the report says so.
        Assert.Contains(root.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("warm-up of 0 s"));
        Assert.Empty(root.GetProperty("losses").EnumerateArray());
        Assert.False(root.TryGetProperty("scaling", out _));
    }

    [Fact]
    public void ScalingReportsEveryThreadCountAndTheLossAndFindsIdenticalBits()
    {
        var output = new StringWriter();
        var options = new OptimizerBenchOptions(["sgd", "adam(amsgrad=true)", "lion"], 70_000, 3, 3, false, Repeats: 2, Warmup: 1, WarmupSeconds: 0,
            Scaling: true, LossRows: 96, LossClasses: 1000);
        Assert.Equal(ExitCodes.Success, Commands.BenchCommand.Run(options, json: true, output, TextWriter.Null));
        using var doc = JsonDocument.Parse(output.ToString());
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("threads").GetInt32());
        var scaling = root.GetProperty("scaling").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3], scaling.Select(p => p.GetProperty("threads").GetInt32()));
        foreach (var p in scaling)
        {
            Assert.Equal(3, p.GetProperty("results").GetArrayLength());
            Assert.Equal(1, p.GetProperty("losses").GetArrayLength());
        }
        var loss = root.GetProperty("losses")[0];
        Assert.Equal("softmax_cross_entropy", loss.GetProperty("loss").GetString());
        Assert.Equal(96, loss.GetProperty("rows").GetInt32());
        Assert.Equal(8, loss.GetProperty("min_bytes_per_element").GetInt32());
        Assert.Equal(8.0 * 96 * 1000 / loss.GetProperty("seconds_per_call").GetDouble() / 1e9, loss.GetProperty("effective_gbps").GetDouble(), 1e-6);
        var identical = root.GetProperty("identical_across_threads");
        foreach (string name in new[] { "sgd", "adam(amsgrad=true)", "lion", "softmax_cross_entropy" }) Assert.True(identical.GetProperty(name).GetBoolean(), name);
    }

    [Fact]
    public void ScalingTableListsThreadCountsAndSameBits()
    {
        var output = new StringWriter();
        var options = new OptimizerBenchOptions(["adamw"], 5000, 1, 2, false, Repeats: 1, Warmup: 0, WarmupSeconds: 0, Scaling: true, LossRows: 8, LossClasses: 10);
        Assert.Equal(ExitCodes.Success, Commands.BenchCommand.Run(options, json: false, output, TextWriter.Null));
        string text = output.ToString();
        Assert.Contains("thread scaling", text);
        Assert.Matches(@"adamw\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x\s+yes", text);
        Assert.Matches(@"softmax_cross_entropy\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x\s+yes", text);
    }

    [Fact]
    public void DoubleDoublesTheBytesAndTheTableListsEachOptimizer()
    {
        var output = new StringWriter();
        var options = new OptimizerBenchOptions(["adam"], 1000, 1, 1, true, Repeats: 2, Warmup: 0, WarmupSeconds: 0);
        Assert.Equal(ExitCodes.Success, Commands.BenchCommand.Run(options, json: false, output, TextWriter.Null));
        string text = output.ToString();
        Assert.Contains("triad", text);
        Assert.Matches(@"adam\s+1000\s+1\s+double\s+yes\s+[0-9.]+\s+56\s", text);
    }

    [Fact]
    public void OneSlowReferenceDoesNotMoveTheMedianAndTheIntervalFollowsThePairCount()
    {
        // Nine pairs at 100 % and one where the reference ran slow (the kernel looks like 150 %) or fast (67 %).
        var ratios = Enumerable.Repeat(1.0, 9).Append(0.67).ToArray();
        var spread = RatioSpread.Of(ratios);
        Assert.Equal(10, spread.Pairs);
        Assert.Equal(1.0, spread.Low);
        Assert.Equal(1.0, spread.High);
        Assert.Equal(0.978515625, spread.Confidence, 1e-12);
        // Five pairs cannot give 95 %: the interval is min..max with its (lower) coverage stated.
        var few = RatioSpread.Of([0.9, 1.0, 1.1, 0.95, 1.05]);
        Assert.Equal((0.9, 1.1, 0.9375), (few.Low, few.High, few.Confidence));
        Assert.Throws<ArgumentException>(() => RatioSpread.Of([]));
    }

    [Fact]
    public void TableShowsTheIntervalAndPairsAndWarnsOnAShortWarmup()
    {
        var output = new StringWriter();
        var options = new OptimizerBenchOptions(["sgd"], 2048, 1, 1, false, Repeats: 3, Warmup: 0, WarmupSeconds: 0.01, Pairs: 4);
        Assert.Equal(ExitCodes.Success, Commands.BenchCommand.Run(options, json: false, output, TextWriter.Null));
        string text = output.ToString();
        Assert.Matches(@"sgd\s.*%\s+[0-9.]+-[0-9.]+%\s+4", text);
        Assert.Contains("warning: warm-up of 0.01 s", text);
    }

    [Theory]
    [InlineData("--pairs", "0")]
    [InlineData("--optimizers", "nosuch")]
    [InlineData("--params", "0")]
    [InlineData("--tensors", "9")]
    [InlineData("--dtype", "half")]
    [InlineData("--threads", "0")]
    [InlineData("--loss-rows", "-1")]
    [InlineData("--loss-classes", "0")]
    public void BadOptionsAreUsageErrors(string option, string value)
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(ExitCodes.Usage, Program.Main(["bench", "--params", "8", "--repeats", "1", option, value]));
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.StartsWith("descent: ", error.ToString());
    }

    [Fact]
    public void ListsSplitAtTopLevelCommasOnly()
    {
        Assert.Equal(["sgd(lr=0.1, momentum=0.9)", "adam(betas=[0.9, 0.99])", "lion"], OptimizerBench.SplitList("sgd(lr=0.1, momentum=0.9), adam(betas=[0.9, 0.99]),,lion"));
    }
}
