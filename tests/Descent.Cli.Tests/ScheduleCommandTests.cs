using Descent.Cli.Commands;
namespace Descent.Cli.Tests;

/// <summary>These tests redirect the process-wide Console, so they run alone, after the parallel tests.</summary>
[CollectionDefinition("ScheduleCommandConsole", DisableParallelization = true)]
public sealed class ScheduleCommandConsoleCollection;

[Collection("ScheduleCommandConsole")]
public class ScheduleCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleCapture.Main(args);

    [Fact]
    public void CsvHasAHeaderAndOneLinePerStep()
    {
        var (code, output, _) = Run("schedule", "step(2, gamma=0.5)", "--steps", "5", "--lr", "0.1", "--format", "csv");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["step,lr", "0,0.1", "1,0.1", "2,0.05", "3,0.05", "4,0.025"], lines);
    }

    [Fact]
    public void CsvHasAMomentumColumnWhenTheScheduleDrivesMomentum()
    {
        var (code, output, _) = Run("schedule", "onecycle(max=0.1)", "--steps", "10", "--format", "csv");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("step,lr,momentum", lines[0]);
        Assert.Equal(11, lines.Length);
        Assert.Equal("0,0.004,0.95", lines[1].Replace("0.0040000000000000036", "0.004"));
    }

    [Fact]
    public void SparklineByDefaultAndJson()
    {
        var (code, output, _) = Run("schedule", "warmup(10) >> cosine(90)", "--steps", "100");
        Assert.Equal(0, code);
        Assert.Contains("▁", output);
        Assert.Contains("█", output);
        (code, output, _) = Run("schedule", "constant(0.5)", "--steps", "3", "--lr", "0.2", "--format", "json");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(0.1, doc.RootElement.GetProperty("lr")[2].GetDouble(), 15);
        Assert.False(doc.RootElement.GetProperty("absolute").GetBoolean());
    }

    [Fact]
    public void WritesToAFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"descent-schedule-{Guid.NewGuid():N}.csv");
        try
        {
            var (code, _, _) = Run("schedule", "constant()", "--steps", "2", "--format", "csv", "--out", path);
            Assert.Equal(0, code);
            Assert.Equal("step,lr\n0,1\n1,1\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("cosine(10, mn=3)")]
    [InlineData("step(30, gamma=0.1")]
    [InlineData("onecycle(max=0.1, total=10)")]
    [InlineData("nosuch(3)")]
    public void BadTextOrStepsPastTheTotalExitWithTwo(string spec)
    {
        var (code, output, error) = Run("schedule", spec, "--steps", "20", "--format", "csv");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("descent: ", error);
    }
}

public class SchedulePngTests
{
    [Fact]
    public void PngFormatWritesAPlotFile()
    {
        string dir = Directory.CreateTempSubdirectory("schedpng").FullName;
        string path = Path.Combine(dir, "onecycle.png");
        Assert.Equal(0, Program.Main(["schedule", "onecycle(max=0.1, total=200)", "--steps", "200", "--format", "png", "--out", path]));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(0x89, bytes[0]);
        Assert.True(File.Exists(Path.Combine(dir, "onecycle-momentum.png")));
    }
}
