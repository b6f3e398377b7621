using Descent.Cli.Commands;
using System.CommandLine;
using System.Text.Json;
using Descent.Lab.Experiments;
using Descent.TensorBoard.Tests;

namespace Descent.Cli.Tests;

[Collection("Console")]
public class TensorBoardOptionTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleCapture.Main(args);

    private static string Temp() => Path.Combine(Path.GetTempPath(), "descent-cli-tensorboard", Guid.NewGuid().ToString("N"));

    [Fact]
    public void TrainWritesStepEpochHyperparameterAndPlotEventsThatMatchTheRun()
    {
        string board = Temp();
        var (code, output, err) = Run("train", "--problem", "mnist-mlp", "--hidden", "16", "--train-limit", "512", "--batch", "64",
            "--optimizer", "adamw(lr=3e-3, weight_decay=0.01)", "--schedule", "onecycle(max=3e-3)", "--epochs", "2", "--seed", "0",
            "--out", Temp(), "--json", "--tensorboard", board);
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]);
        string file = Assert.Single(Directory.GetFiles(board));
        Assert.Contains("tfevents", Path.GetFileName(file));
        var events = EventFileReader.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var values = events.Skip(1).SelectMany(e => e.Summary!.Select(v => (e.Step, v))).ToList();
        float[] Series(string tag) => values.Where(x => x.v.Tag == tag).Select(x => x.v.Simple!.Value).ToArray();
        long[] Steps(string tag) => values.Where(x => x.v.Tag == tag).Select(x => x.Step).ToArray();

        // 512 samples / 64 = 8 steps per epoch, 2 epochs.
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), Steps("train/loss"));
        Assert.Equal(16, Series("hyperparameters/lr").Length);
        Assert.Equal(16, Series("train/grad_norm").Length);
        Assert.All(Series("train/grad_norm"), g => Assert.True(g > 0 && float.IsFinite(g)));
        Assert.Equal(15, Series("train/step_ms").Length);
        // 1cycle drives AdamW's beta1: a scheduled hyperparameter, logged beside the learning rate.
        float[] beta1 = Series("hyperparameters/beta1");
        Assert.Equal(16, beta1.Length);
        Assert.True(beta1.Max() > beta1.Min());
        float[] lr = Series("hyperparameters/lr");
        Assert.True(lr.Max() > 10 * lr[0], "1cycle warms up from max/25");
        Assert.Equal([8L, 16L], Steps("epoch/test_accuracy"));
        Assert.Equal((float)json.RootElement.GetProperty("test_accuracy").GetDouble(), Series("epoch/test_accuracy")[^1]);
        Assert.Equal((float)json.RootElement.GetProperty("test_loss").GetDouble(), Series("epoch/test_loss")[^1]);
        Assert.Equal(2, Series("epoch/train_loss").Length);
        foreach (string plot in new[] { "plots/loss", "plots/accuracy", "plots/learning_rate" })
        {
            var image = Assert.Single(values, x => x.v.Tag == plot).v.Image!;
            Assert.Equal((550, 800, 4), (image.Height, image.Width, image.Colorspace));
            Assert.Equal(0x89, image.Encoded[0]);
        }
    }

    private sealed class FigureExperiment : IExperiment
    {
        public int Number => 7;
        public string Id => "fake-figure";
        public string Title => "A figure and two numbers";

        public ExperimentResult Run(ExperimentContext context)
        {
            var plot = Descent.Lab.Reports.Plots.Line("t", "x", "y", [new Descent.Lab.Reports.Series("s", [0, 1], [1, 2])]);
            Descent.Lab.Reports.Plots.Save(plot, Path.Combine(context.OutputDirectory, "fake-figure"), 200, 100);
            var result = new ExperimentResult { Claim = "c", Summary = "s", Supported = true };
            result.Figures.Add(new ExperimentFigure("fake-figure.png", "caption"));
            result.Numbers["gap"] = 0.5;
            result.Numbers["runs"] = 3;
            result.Numbers["name"] = "not a number";
            return result;
        }
    }

    [Fact]
    public void LabWritesEachExperimentsFiguresAndNumbers()
    {
        string board = Temp();
        var root = new RootCommand { LabCommand.Create([new FigureExperiment()]) };
        var (previousOut, previousErr) = (Console.Out, Console.Error);
        Console.SetOut(new StringWriter());
        Console.SetError(new StringWriter());
        int code;
        try
        {
            code = root.Parse(["lab", "--quick", "--out", Temp(), "--tensorboard", board]).Invoke();
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousErr);
        }
        Assert.Equal(0, code);
        var events = EventFileReader.Read(Assert.Single(Directory.GetFiles(board, "*tfevents*")));
        var values = events.Skip(1).SelectMany(e => e.Summary!.Select(v => (e.Step, v))).ToList();
        Assert.All(values, x => Assert.Equal(7, x.Step));
        var image = Assert.Single(values, x => x.v.Tag == "07-fake-figure/fake-figure").v.Image!;
        Assert.Equal((100, 200), (image.Height, image.Width));
        Assert.Equal(0.5f, Assert.Single(values, x => x.v.Tag == "07-fake-figure/gap").v.Simple);
        Assert.Equal(3f, Assert.Single(values, x => x.v.Tag == "07-fake-figure/runs").v.Simple);
        Assert.Equal(1f, Assert.Single(values, x => x.v.Tag == "lab/supported").v.Simple);
        Assert.DoesNotContain(values, x => x.v.Tag.EndsWith("/name"));
    }
}
