using Descent.Cli.Commands;
using System.CommandLine;
using System.Text.Json;
using Descent.Lab.Experiments;

namespace Descent.Cli.Tests;

[Collection("Console")]
public class LabCommandTests
{
    private static (int Code, string Out, string Err) Run(IReadOnlyList<IExperiment>? catalog, params string[] args)
    {
        var root = new RootCommand { LabCommand.Create(catalog) };
        return ConsoleCapture.Run(() =>
        {
            var parse = root.Parse(args);
            Assert.Empty(parse.Errors);
            return parse.Invoke();
        });
    }

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "descent-lab-cli-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void QuickOnly1And5WritesSelfContainedReportAndResults()
    {
        string dir = TempDir();
        var (code, output, _) = Run(null, "lab", "--quick", "--only", "1,5", "--out", dir);
        Assert.Equal(0, code);
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("data:image/png;base64", html);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("<link", html);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var experiments = json.RootElement.GetProperty("experiments");
        Assert.True(experiments.TryGetProperty("loss-outliers", out var one));
        Assert.True(experiments.TryGetProperty("learning-rate", out _));
        Assert.Equal(83.6, one.GetProperty("numbers").GetProperty("fivePoint").GetProperty("mse").GetDouble(), 9);
        Assert.Contains("MSE vs MAE", output);
        Assert.True(File.Exists(Path.Combine(dir, "learning-rate.png")));
    }

    [Fact]
    public void UnknownExperimentNumberExits2WithOneLine()
    {
        var (code, _, error) = Run(null, "lab", "--quick", "--only", "99", "--out", TempDir());
        Assert.Equal(2, code);
        Assert.Contains("99", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    private sealed class Throwing : IExperiment
    {
        public int Number => 2;
        public string Id => "throws";
        public string Title => "Throws";
        public ExperimentResult Run(ExperimentContext context) => throw new InvalidOperationException("boom");
    }

    [Fact]
    public void ThrowingExperimentIsReportedAsFailedOthersRunExit1()
    {
        string dir = TempDir();
        var catalog = new IExperiment[] { new LearningRateExperiment(), new Throwing() };
        var (code, output, _) = Run(catalog, "lab", "--quick", "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("FAILED", output);
        Assert.Contains("boom", File.ReadAllText(Path.Combine(dir, "report.html")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        Assert.Equal("failed", json.RootElement.GetProperty("experiments").GetProperty("throws").GetProperty("outcome").GetString());
        Assert.Equal("supported", json.RootElement.GetProperty("experiments").GetProperty("learning-rate").GetProperty("outcome").GetString());
    }
}
