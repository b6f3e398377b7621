using System.Text.Json;

namespace Descent.Cli.Tests;

/// <summary>One test per careless command of issue 14: nothing is lost, and the message says what to do.</summary>
[Collection("Console")]
public class CarelessCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleCapture.Main(args);

    private static string Temp() => Path.Combine(Path.GetTempPath(), "descent-careless", Guid.NewGuid().ToString("N"));

    private static string[] Synthetic(string dir, int epochs) => ["train", "--problem", "synthetic-mlp", "--hidden", "8", "--batch", "100",
        "--optimizer", "sgd(lr=0.1, momentum=0.9)", "--epochs", $"{epochs}", "--out", dir, "--json"];

    private static string Hash(string output) => JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement.GetProperty("params_sha256").GetString()!;

    [Fact]
    public void TheSameCommandWithResumeAddedContinuesTheRun()
    {
        string straight = Hash(Run(Synthetic(Temp(), 3)).Out);
        string dir = Temp();
        Assert.Equal(0, Run([.. Synthetic(dir, 3), "--stop-after", "1"]).Code);
        var (code, output, err) = Run([.. Synthetic(dir, 3), "--resume", dir]);
        Assert.True(code == 0, err);
        Assert.Equal(straight, Hash(output));
    }

    [Fact]
    public void ASettingThatDiffersFromTheRunIsRefusedShowingBothValues()
    {
        string dir = Temp();
        Assert.Equal(0, Run([.. Synthetic(dir, 2), "--stop-after", "1"]).Code);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "checkpoint.ckpt"));
        string[] args = [.. Synthetic(dir, 2), "--resume", dir];
        args[Array.IndexOf(args, "--batch") + 1] = "50";
        var (code, output, err) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Contains("--batch 50 differs from the run", err);
        Assert.Contains("which has --batch 100", err);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "checkpoint.ckpt")));
    }

    [Fact]
    public void TheSameScaledCommandWithResumeAddedContinuesAndOtherScalingIsRefused()
    {
        string[] Scaled(string dir) => [.. Synthetic(dir, 3), "--scale-lr", "linear", "--base-batch", "50", "--warmup-epochs", "1"];
        string straight = Hash(Run(Scaled(Temp())).Out);
        string dir = Temp();
        Assert.Equal(0, Run([.. Scaled(dir), "--stop-after", "1"]).Code);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "checkpoint.ckpt"));
        string[] other = [.. Scaled(dir), "--resume", dir];
        other[Array.IndexOf(other, "--base-batch") + 1] = "25";
        var (code, output, err) = Run(other);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Contains("differs from the run", err);
        Assert.Contains("factor=4", err);
        Assert.Contains("factor=2", err);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "checkpoint.ckpt")));
        (code, output, err) = Run([.. Scaled(dir), "--resume", dir]);
        Assert.True(code == 0, err);
        Assert.Equal(straight, Hash(output));
    }

    [Fact]
    public void EpochsMayGrowOnResume()
    {
        string dir = Temp();
        Assert.Equal(0, Run(Synthetic(dir, 1)).Code);
        var (code, output, err) = Run([.. Synthetic(dir, 3), "--resume", dir]);
        Assert.True(code == 0, err);
        Assert.Equal(3, JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement.GetProperty("epochs").GetInt32());
    }

    [Fact]
    public void OutOnAnExistingRunIsRefusedUnlessOverwrite()
    {
        string dir = Temp();
        Assert.Equal(0, Run(Synthetic(dir, 1)).Code);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "checkpoint.ckpt"));
        var (code, _, err) = Run(Synthetic(dir, 2));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"--out {dir} already holds a training run; continue it with --resume {dir}, or replace it with --overwrite", err);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "checkpoint.ckpt")));
        (code, var output, err) = Run([.. Synthetic(dir, 2), "--overwrite"]);
        Assert.True(code == 0, err);
        Assert.Equal(2, JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement.GetProperty("epochs").GetInt32());
    }

    [Fact]
    public void OutOnANonEmptyFolderIsRefusedAndOverwriteKeepsForeignFiles()
    {
        string dir = Temp();
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");
        var (code, _, err) = Run(Synthetic(dir, 1));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is not empty", err);
        Assert.False(File.Exists(Path.Combine(dir, "checkpoint.ckpt")));
        (code, _, err) = Run([.. Synthetic(dir, 1), "--overwrite"]);
        Assert.True(code == 0, err);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "notes.txt")));
    }

    [Fact]
    public void TheLabRefusesToWriteIntoATrainingRun()
    {
        string dir = Temp();
        Assert.Equal(0, Run(Synthetic(dir, 1)).Code);
        var files = Directory.GetFiles(dir).Order().ToArray();
        var (code, _, err) = Run("lab", "--only", "1", "--quick", "--out", dir);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("holds a training run", err);
        Assert.Equal(files, Directory.GetFiles(dir).Order().ToArray());
    }

    private static JsonElement LastJson(string output) => JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement.Clone();

    [Theory]
    [InlineData("warmup(100) >> onecycle(max=1e-3)", "3", "this run has 60 optimizer steps (3 epochs x 20 batches), but its fixed-length parts take 100 or more")]
    [InlineData("onecycle(max=1e-3, total=100)", "7", "this run has 140 optimizer steps (7 epochs x 20 batches), but it covers only 100 steps")]
    public void AScheduleThatDoesNotFitTheRunFailsBeforeTheFirstStep(string schedule, string epochs, string expected)
    {
        string dir = Temp();
        var (code, output, err) = Run("train", "--problem", "synthetic-mlp", "--hidden", "4", "--batch", "100", "--epochs", epochs,
            "--schedule", schedule, "--out", dir);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void JsonCarriesNumbersAsNumbersNonFiniteAsNullAndNoEscapes()
    {
        var (code, output, _) = Run("train", "--problem", "synthetic-mlp", "--hidden", "4", "--batch", "100", "--epochs", "1",
            "--optimizer", "sgd(lr=1e9)", "--out", Temp(), "--json");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Single(output.TrimEnd().Split('\n')); // stdout is the JSON object only
        var json = LastJson(output);
        Assert.Equal("diverged", json.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("test_loss").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("seconds").ValueKind);
        Assert.DoesNotContain("\\u00", output);
        Assert.Contains("lr 1E+09", json.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("adamw(lr=-1e-3)", "lr must be in [0, +inf) (finite); got -0.001.", 9)]
    [InlineData("adam(betas=[0.9, 1.5])", "beta2 must be in [0, 1); got 1.5.", 17)]
    [InlineData("adamm", "Unknown optimizer 'adamm'; did you mean adam or adamw?", 0)]
    [InlineData("adamw(weight_decy=0.1)", "Unknown argument 'weight_decy' for adamw(...); did you mean weight_decay?", 6)]
    public void ValueErrorsPointAtTheValueAndUnknownNamesSuggestTheNearest(string optimizer, string message, int caret)
    {
        var (code, _, err) = Run("train", "--problem", "synthetic-mlp", "--epochs", "1", "--optimizer", optimizer, "--out", Temp());
        Assert.Equal(ExitCodes.Usage, code);
        var lines = err.TrimEnd().Split('\n');
        Assert.StartsWith($"descent: {message}", lines[0]);
        Assert.Equal("  " + optimizer, lines[1]);
        Assert.Equal(new string(' ', 2 + caret) + "^", lines[2]);
        Assert.DoesNotContain("(Parameter", err);
        Assert.DoesNotContain("learningRate", err);
    }

    [Fact]
    public void ParseErrorsNameNoDotNetTypes()
    {
        var (code, _, err) = Run("train", "--epochs", "abc");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--epochs': expected a whole number", err);
        Assert.DoesNotContain("System.", err);
    }

    [Fact]
    public void HelpShowsTheCommandsName()
    {
        var (_, output, _) = Run("train", "--help");
        Assert.Contains("descent train [options]", output);
        Assert.DoesNotContain("Descent.Cli", output);
        (_, output, _) = Run("--help");
        Assert.Contains("descent [command] [options]", output);
    }

    [Fact]
    public void OneEpochIsSingular()
    {
        var (code, output, err) = Run("train", "--problem", "synthetic-mlp", "--hidden", "4", "--batch", "200", "--epochs", "1", "--out", Temp());
        Assert.True(code == 0, err);
        Assert.Contains("Trained 1 epoch.", output);
    }

    [Fact]
    public void LrFindWorksWithOneSeed()
    {
        var (code, output, err) = Run("lr-find", "--problem", "synthetic-mlp", "--seeds", "1", "--steps", "30", "--json");
        Assert.True(code == 0, err);
        var json = LastJson(output);
        Assert.Equal(1, json.GetProperty("seeds").GetInt32());
        Assert.All(json.GetProperty("lower").EnumerateArray(), v => Assert.Equal(JsonValueKind.Null, v.ValueKind)); // one seed: no band
        Assert.Equal(JsonValueKind.Number, json.GetProperty("mean")[0].ValueKind);
    }

    [Fact]
    public void TheShippedDataIsFoundFromAnyWorkingDirectory()
    {
        string previous = Directory.GetCurrentDirectory();
        string elsewhere = Temp();
        Directory.CreateDirectory(elsewhere);
        try
        {
            Directory.SetCurrentDirectory(elsewhere); // no data/ above it: found next to the program
            var (code, output, err) = Run("train", "--problem", "mnist-softmax", "--train-limit", "256", "--batch", "64", "--epochs", "1",
                "--out", Path.Combine(elsewhere, "run"), "--json");
            Assert.True(code == 0, err);
            Assert.Equal("completed", LastJson(output).GetProperty("status").GetString());
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }
}
