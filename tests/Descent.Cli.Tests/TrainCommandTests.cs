using System.Text.Json;

namespace Descent.Cli.Tests;

[Collection("Console")]
public class TrainCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleCapture.Main(args);

    private static string Temp() => Path.Combine(Path.GetTempPath(), "descent-cli-train", Guid.NewGuid().ToString("N"));

    private static JsonElement LastJson(string output)
    {
        string last = output.TrimEnd().Split('\n')[^1];
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    private static readonly string[] Small = ["train", "--problem", "mnist-mlp", "--hidden", "16", "--train-limit", "512", "--batch", "64",
        "--optimizer", "adamw(lr=3e-3, weight_decay=0.01)", "--schedule", "onecycle(max=3e-3)", "--seed", "0"];

    [Fact]
    public void JsonLastLineHasTheDocumentedFieldsAndResumeMatchesTheStraightRun()
    {
        var (code, output, err) = Run([.. Small, "--epochs", "3", "--out", Temp(), "--json"]);
        Assert.True(code == 0, err);
        var straight = LastJson(output);
        Assert.Equal(3, straight.GetProperty("epochs").GetInt32());
        Assert.InRange(straight.GetProperty("test_accuracy").GetDouble(), 0.5, 1);
        Assert.True(straight.GetProperty("test_loss").GetDouble() > 0);
        Assert.True(straight.GetProperty("seconds").GetDouble() > 0);
        string hash = straight.GetProperty("params_sha256").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", hash);

        string dir = Temp();
        (code, output, err) = Run([.. Small, "--epochs", "3", "--stop-after", "1", "--out", dir, "--json"]);
        Assert.True(code == 0, err);
        Assert.Equal("stopped", LastJson(output).GetProperty("status").GetString());
        Assert.NotEqual(hash, LastJson(output).GetProperty("params_sha256").GetString());
        (code, output, err) = Run("train", "--resume", dir, "--json");
        Assert.True(code == 0, err);
        var resumed = LastJson(output);
        Assert.Equal(hash, resumed.GetProperty("params_sha256").GetString());
        Assert.Equal(3, resumed.GetProperty("epochs").GetInt32());
        Assert.True(File.Exists(Path.Combine(dir, "metrics.csv")));
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("bfloat16")]
    public void CompactOptimizerStateTrainsSmallerAndResumesBitIdentically(string state)
    {
        // The first layer (784 x 16 = 12,544 weights) is above the 4,096-element threshold, so its moments are compact.
        string[] args = [.. Small.Select(a => a == "adamw(lr=3e-3, weight_decay=0.01)" ? $"adamw(lr=3e-3, weight_decay=0.01, state={state})" : a), "--json"];
        var (code, output, err) = Run([.. args, "--epochs", "3", "--out", Temp()]);
        Assert.True(code == 0, err);
        var straight = LastJson(output);
        Assert.Contains($"state={state}", straight.GetProperty("optimizer").GetString());
        Assert.InRange(straight.GetProperty("test_accuracy").GetDouble(), 0.5, 1);
        (code, output, err) = Run([.. Small, "--json", "--epochs", "1", "--out", Temp()]);
        Assert.True(code == 0, err);
        Assert.True(straight.GetProperty("optimizer_state_bytes_per_rank").GetInt64() < LastJson(output).GetProperty("optimizer_state_bytes_per_rank").GetInt64());

        string dir = Temp();
        (code, _, err) = Run([.. args, "--epochs", "3", "--stop-after", "1", "--out", dir]);
        Assert.True(code == 0, err);
        (code, output, err) = Run("train", "--resume", dir, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(straight.GetProperty("params_sha256").GetString(), LastJson(output).GetProperty("params_sha256").GetString());
    }

    [Fact]
    public void ResumeWithMoreEpochsOfAConstantScheduleMatchesTheLongerRun()
    {
        string[] args = ["train", "--problem", "synthetic-mlp", "--hidden", "8", "--batch", "100", "--optimizer", "sgd(lr=0.1, momentum=0.9)", "--json"];
        var (_, output, _) = Run([.. args, "--epochs", "4", "--out", Temp()]);
        string straight = LastJson(output).GetProperty("params_sha256").GetString()!;
        string dir = Temp();
        Run([.. args, "--epochs", "2", "--out", dir]);
        var (code, resumed, err) = Run("train", "--resume", dir, "--epochs", "4", "--json");
        Assert.True(code == 0, err);
        Assert.Equal(straight, LastJson(resumed).GetProperty("params_sha256").GetString());
    }

    [Fact]
    public void TextOutputShowsEpochsAndTheHash()
    {
        var (code, output, err) = Run("train", "--problem", "synthetic-mlp", "--hidden", "4", "--epochs", "2", "--batch", "200", "--out", Temp());
        Assert.True(code == 0, err);
        Assert.Contains("epoch 2:", output);
        Assert.Contains("params sha256", output);
    }

    [Fact]
    public void DivergenceExitsWithOneAndAMessage()
    {
        var (code, _, err) = Run("train", "--problem", "synthetic-mlp", "--hidden", "4", "--epochs", "3", "--batch", "100",
            "--optimizer", "sgd(lr=0.1)", "--schedule", "piecewise([25], [1, 1e30])", "--out", Temp(), "--json");
        Assert.Equal(1, code);
        Assert.Contains("Training stopped: the loss is", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("--optimizer", "nosuch(lr=1)")]
    [InlineData("--optimizer", "adamw(lr=-3)")]
    [InlineData("--optimizer", "adamw(betas=[0.9])")]
    [InlineData("--schedule", "onecycle(max=")]
    [InlineData("--schedule", "nosuch(3)")]
    [InlineData("--epochs", "-1")]
    [InlineData("--problem", "imagenet")]
    [InlineData("--mode", "sideways")]
    [InlineData("--hidden", "0")]
    [InlineData("--batch", "0")]
    [InlineData("--threads", "0")]
    [InlineData("--nonfinite", "ignore")]
    [InlineData("--data", "/nonexistent/mnist")]
    [InlineData("--resume", "/nonexistent/run")]
    public void BadCommandLinesExitWithTwoAndOneLine(string option, string value)
    {
        var (code, _, err) = Run("train", option, value, "--epochs", option == "--epochs" ? value : "1", "--out", Temp());
        Assert.Equal(2, code);
        Assert.StartsWith("descent: ", err);
        Assert.DoesNotContain("   at ", err);
        // One line; text errors add the offending text and a caret under the bad token.
        Assert.True(err.TrimEnd().Split('\n').Length == (option is "--optimizer" or "--schedule" ? 3 : 1), err);
    }

    [Fact]
    public void MalformedDataFileExitsWithTwo()
    {
        string dir = Temp();
        Directory.CreateDirectory(dir);
        foreach (string f in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(dir, f), [0, 0, 8, 3, 1, 2]);
        var (code, _, err) = Run("train", "--data", dir, "--epochs", "1", "--out", Temp());
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void CorruptCheckpointExitsWithTwo()
    {
        string dir = Temp();
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "checkpoint.ckpt"), [1, 2, 3, 4, 5]);
        var (code, _, err) = Run("train", "--resume", dir);
        Assert.Equal(2, code);
        Assert.StartsWith("descent: ", err);
    }

    [Fact]
    public void LrFindPrintsSuggestionsAndTheBand()
    {
        var (code, output, err) = Run("lr-find", "--problem", "synthetic-mlp", "--hidden", "8", "--optimizer", "sgd(momentum=0.9)",
            "--start", "1e-4", "--end", "10", "--steps", "40", "--seeds", "2", "--batch", "100", "--json");
        Assert.True(code == 0, err);
        var root = LastJson(output);
        var interval = root.GetProperty("valley_interval");
        Assert.True(interval[0].GetDouble() <= interval[1].GetDouble());
        Assert.InRange(root.GetProperty("valley_median").GetDouble(), 1e-4, 10);
        Assert.Equal(2, root.GetProperty("runs").GetArrayLength());
        (code, output, _) = Run("lr-find", "--problem", "synthetic-mlp", "--hidden", "8", "--steps", "30", "--seeds", "2", "--batch", "100");
        Assert.Equal(0, code);
        Assert.Contains("suggested interval", output);
        (code, _, err) = Run("lr-find", "--problem", "synthetic-mlp", "--seeds", "0"); // one seed works (CarelessCommandTests); zero does not
        Assert.Equal(2, code);
        Assert.StartsWith("descent: ", err);
    }
}
