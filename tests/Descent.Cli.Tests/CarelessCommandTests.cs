using System.Text.Json;

namespace Descent.Cli.Tests;

/// <summary>One test per careless command of issue 14: nothing is lost, and the message says what to do.</summary>
[Collection("Console")]
public class CarelessCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousErr);
        }
    }

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
}
