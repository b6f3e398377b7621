using System.Text.Json;
using Descent.Optimizers;

namespace Descent.Cli.Tests;

[Collection("Console")]
public class OptimizersCommandTests
{
    [Fact]
    public void JsonListsEveryCatalogOptimizerWithEachOptionsRangeAndNames()
    {
        var (code, output, err) = ConsoleCapture.Main(["optimizers", "--json"]);
        Assert.True(code == 0, err);
        var list = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal(OptimizerCatalog.All.Select(d => d.Name), list.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var adagrad = list.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "adagrad").GetProperty("options").EnumerateArray().ToArray();
        var lr = adagrad.Single(o => o.GetProperty("name").GetString() == "lr");
        Assert.Equal("[0, +inf) (finite)", lr.GetProperty("range").GetString());
        Assert.True(lr.GetProperty("schedulable").GetBoolean());
        Assert.Equal("learning_rate", lr.GetProperty("optax").GetString());
        var initial = adagrad.Single(o => o.GetProperty("name").GetString() == "initial_accumulator_value");
        Assert.False(initial.GetProperty("schedulable").GetBoolean());
        Assert.Equal("initial_accumulator_value", initial.GetProperty("pytorch").GetString());
    }

    [Fact]
    public void TextShowsTheNamedOptimizerOnly()
    {
        var (code, output, err) = ConsoleCapture.Main(["optimizers", "sgd"]);
        Assert.True(code == 0, err);
        Assert.StartsWith("sgd: ", output);
        Assert.Contains("dampening", output);
        Assert.Contains("[0, 1]", output);
        Assert.DoesNotContain("adamw:", output);
    }

    [Fact]
    public void UnknownNameExitsWithTwo()
    {
        var (code, _, err) = ConsoleCapture.Main(["optimizers", "nosuch"]);
        Assert.Equal(2, code);
        Assert.Contains("unknown optimizer nosuch", err);
    }
}
