using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Descent.Lab.Problems;
using Descent.Lab.Training;
using Descent.Minimizers;
using Descent.Optimizers;
using Descent.Schedules;
using Microsoft.Playwright;

namespace Descent.Web.Tests;

/// <summary>Clicks through each page of the playground in headless chromium against the real server.</summary>
[Collection("playground")]
public sealed class BrowserTests(PlaygroundFixture fixture)
{
    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();

    [Fact]
    public async Task LandscapesClickAStartPointAndEachTrajectoryEndsWhereTheLibraryDoes()
    {
        var (page, errors) = await fixture.NewPageAsync("landscapes");
        await page.SelectOptionAsync("#function", "himmelblau");
        await page.WaitForFunctionAsync("() => window.playground.grid && window.playground.grid.name === 'himmelblau'");
        await page.FillAsync("#steps", "120");
        var rows = page.Locator("#optimizers tbody tr");
        Assert.Equal(3, await rows.CountAsync());
        await rows.Nth(0).Locator(".optimizer").FillAsync("sgd(lr=0.01, momentum=0.9, nesterov=true)");
        await rows.Nth(0).Locator(".schedule").FillAsync("warmup(10) >> cosine(120)");
        await rows.Nth(1).Locator(".optimizer").FillAsync("adamw(lr=0.1, weight_decay=0.01)");
        await rows.Nth(1).Locator(".schedule").FillAsync("");
        await rows.Nth(2).Locator(".optimizer").FillAsync("lbfgs(history=5)");
        await page.EvaluateAsync("() => { window.playground.trajectories = []; }");

        // Click inside the plot area: the page turns the pixel into a start point and asks the server for the paths.
        var box = (await page.Locator("#contour").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + box.Width * 0.62f, box.Y + box.Height * 0.33f);
        await page.WaitForFunctionAsync("() => window.playground.trajectories.length === 3 && window.playground.trajectories.every(t => t)");
        await page.WaitForFunctionAsync("() => !window.playground.animation");
        var state = await PlaygroundFixture.JsonAsync(page,
            "() => JSON.stringify({ start: playground.start, t: playground.trajectories.map(r => ({ x: r.x, y: r.y, loss: r.loss })), plotted: playground.charts['loss-chart'].data })");
        double x0 = state.GetProperty("start")[0].GetDouble(), y0 = state.GetProperty("start")[1].GetDouble();
        Assert.NotEqual(new Himmelblau().Start, (x0, y0));
        var paths = state.GetProperty("t").EnumerateArray().Select(t => (X: Doubles(t.GetProperty("x")), Y: Doubles(t.GetProperty("y")), Loss: Doubles(t.GetProperty("loss")))).ToArray();
        Assert.Equal(x0, paths[0].X[0]);
        Assert.Equal(y0, paths[0].Y[0]);

        // The same settings computed here with the library itself.
        var f = new Himmelblau();
        Assert.Equal(121, paths[0].X.Length);
        var sgd = Library(f, x0, y0, "sgd(lr=0.01, momentum=0.9, nesterov=true)", "warmup(10) >> cosine(120)", 120);
        Assert.Equal(sgd.X, paths[0].X[^1]);
        Assert.Equal(sgd.Y, paths[0].Y[^1]);
        var adamw = Library(f, x0, y0, "adamw(lr=0.1, weight_decay=0.01)", null, 120);
        Assert.Equal(adamw.X, paths[1].X[^1]);
        Assert.Equal(adamw.Y, paths[1].Y[^1]);
        int iterations = paths[2].X.Length - 1;
        Assert.InRange(iterations, 1, 120);
        var x = new[] { x0, y0 };
        Lbfgs.Minimize<double>(f.Evaluate, x, new LbfgsOptions { HistorySize = 5, MaxIterations = iterations, MaxEvaluations = 25L * iterations + 25 });
        Assert.Equal(x[0], paths[2].X[^1]);
        Assert.Equal(x[1], paths[2].Y[^1]);
        Assert.True(f.Value(x[0], x[1]) < 1e-8, "L-BFGS reaches a minimum of Himmelblau's function");

        // The loss chart plots f − f* (f* = 0 here) of those points, step by step.
        var plotted = state.GetProperty("plotted");
        Assert.Equal(Enumerable.Range(0, 121).Select(i => (double)i), Doubles(plotted[0]));
        Assert.Equal(Math.Max(f.Value(sgd.X, sgd.Y), 1e-16), Doubles(plotted[1])[120]);
        Assert.Equal(paths[0].Loss.Select(v => Math.Max(v, 1e-16)), Doubles(plotted[1]));
        Assert.Contains("120 steps", await rows.Nth(0).Locator(".result").InnerTextAsync());
        await fixture.ScreenshotAsync(page, "landscapes.png");

        // A malformed optimizer shows the CLI's caret message in its row; the others still run.
        await rows.Nth(1).Locator(".optimizer").FillAsync("adamw(lr=0.1, betas=[0.9])");
        await page.ClickAsync("#run");
        await page.WaitForSelectorAsync("#optimizers tbody tr:nth-child(2) pre.error");
        string message = await rows.Nth(1).Locator("pre.error").TextContentAsync() ?? "";
        Assert.StartsWith("descent: Argument 'betas' must have two numbers (at character", message);
        Assert.EndsWith("^", message);
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    private static (double X, double Y) Library(Landscape2D f, double x0, double y0, string optimizerText, string? scheduleText, int steps)
    {
        var optimizer = OptimizerCatalog.Create<double>(optimizerText);
        if (scheduleText is not null) optimizer.SetSchedule(ScheduleText.Parse(scheduleText, steps));
        var p = new[] { x0, y0 };
        var g = new double[2];
        optimizer.AddGroup(new Parameter<double>("xy", p, g));
        for (int t = 0; t < steps; t++)
        {
            f.Evaluate(p, g);
            optimizer.Step();
        }
        return (p[0], p[1]);
    }

    [Fact]
    public async Task SchedulesCurveEqualsTheCliCsvAndAMalformedTextShowsTheCliCaretMessage()
    {
        var (page, errors) = await fixture.NewPageAsync("schedules");
        await page.WaitForFunctionAsync("() => window.playground.scheduleResults.length === 2");
        const string text = "warmup(50) >> cosine(400, min=1e-3)";
        await page.FillAsync("#sched-steps", "400");
        await page.FillAsync("#sched-lr", "0.1");
        var rows = page.Locator("#schedules tbody tr");
        await rows.Nth(1).Locator(".remove").ClickAsync();
        await rows.Nth(0).Locator(".schedule-text").FillAsync(text);
        await page.WaitForFunctionAsync("() => { const r = playground.scheduleResults; return r.length === 1 && r[0] && r[0].lr.length === 400 && r[0].base_lr === 0.1 && r[0].schedule.includes('cosine(400'); }");
        var plotted = await PlaygroundFixture.JsonAsync(page, "() => JSON.stringify(playground.charts['schedule-chart'].data)");
        double[] steps = Doubles(plotted[0]), rates = Doubles(plotted[1]);

        var (code, csv, stderr) = PlaygroundFixture.RunCli("schedule", text, "--steps", "400", "--lr", "0.1", "--format", "csv");
        Assert.True(code == 0, stderr);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("step,lr", lines[0]);
        Assert.Equal(400, lines.Length - 1);
        for (int t = 0; t < 400; t++)
        {
            var parts = lines[t + 1].Split(',');
            Assert.Equal(double.Parse(parts[0], CultureInfo.InvariantCulture), steps[t]);
            Assert.Equal(double.Parse(parts[1], CultureInfo.InvariantCulture), rates[t]);
        }
        // The measures are the library's (src/Descent/Analysis).
        var measures = await PlaygroundFixture.JsonAsync(page, "() => JSON.stringify(playground.scheduleResults[0].measures)");
        Assert.Equal(Descent.Analysis.ScheduleMeasures.Flatness(rates), measures.GetProperty("flatness").GetDouble());
        Assert.Equal(Descent.Analysis.ScheduleMeasures.WeightDecayProduct(rates, 0.1), measures.GetProperty("weight_decay_product").GetDouble());
        Assert.Equal(1, await page.Locator("#measures tbody tr").CountAsync());
        await fixture.ScreenshotAsync(page, "schedules.png");

        const string bad = "warmup(500) >> cosin(10000, min=1e-5)";
        await rows.Nth(0).Locator(".schedule-text").FillAsync(bad);
        await page.WaitForSelectorAsync("#schedules tbody tr pre.error:not([hidden])");
        string shown = await rows.Nth(0).Locator("pre.error").TextContentAsync() ?? "";
        var cli = PlaygroundFixture.RunCli("schedule", bad, "--steps", "10000");
        Assert.Equal(2, cli.Code);
        Assert.Equal(cli.Error.TrimEnd('\n'), shown);
        Assert.Contains("^", shown);
        await fixture.ScreenshotAsync(page, "schedules-error.png");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TrainingStreamsEpochsLiveCanBeStoppedAndIsListedWithItsReport()
    {
        var (page, errors) = await fixture.NewPageAsync("training");
        await page.WaitForSelectorAsync("#runs tbody tr[data-run='past-run']");
        Assert.Equal(0, await page.Locator("#runs tbody tr[data-run='linked']").CountAsync());
        await page.SelectOptionAsync("#train-problem", "mnist-mlp");
        await page.FillAsync("#train-optimizer", "adam(lr=3e-3)");
        await page.FillAsync("#train-schedule", "warmup(20) >> cosine(20000)");
        await page.FillAsync("#train-epochs", "1000");
        await page.FillAsync("#train-batch", "50");
        await page.FillAsync("#train-hidden", "16");
        await page.FillAsync("#train-limit", "600");
        await page.ClickAsync("#train-start");
        await page.WaitForFunctionAsync("() => playground.training && playground.training.epochs.length >= 3", null, new PageWaitForFunctionOptions { Timeout = 60000 });
        string name = await page.EvaluateAsync<string>("() => playground.training.name");

        // A second training is refused while this one runs (one at a time unless the server is started with --max-trainings).
        var second = await fixture.Http.PostAsJsonAsync("/api/train", new { problem = "synthetic-mlp", epochs = 1 });
        Assert.Equal(409, (int)second.StatusCode);

        await page.ClickAsync("#train-stop");
        await page.WaitForFunctionAsync("() => playground.training.status !== 'running'", null, new PageWaitForFunctionOptions { Timeout = 30000 });
        var run = await PlaygroundFixture.JsonAsync(page,
            "() => JSON.stringify({ status: playground.training.status, epochs: playground.training.epochs, points: playground.training.points.length, acc: playground.charts['train-acc-chart'].data })");
        Assert.Equal("stopped", run.GetProperty("status").GetString());
        int epochs = run.GetProperty("epochs").GetArrayLength();
        Assert.InRange(epochs, 3, 999);
        Assert.True(run.GetProperty("points").GetInt32() >= 3);
        Assert.Equal(epochs, run.GetProperty("acc")[1].GetArrayLength());
        var fromFile = RunsFolder.ReadMetrics(Path.Combine(fixture.RunsDirectory, name));
        Assert.Equal(epochs, fromFile.Count);
        Assert.Equal(fromFile[^1].TestAccuracy, run.GetProperty("epochs")[epochs - 1].GetProperty("test_accuracy").GetDouble());

        // The runs list shows it (from its metrics file); overlay it with the past run; open its report.
        var row = page.Locator($"#runs tbody tr[data-run='{name}']");
        await row.WaitForAsync();
        Assert.Contains("adam(lr=0.003", await row.InnerTextAsync());
        await row.Locator("input[type=checkbox]").CheckAsync();
        await page.Locator("#runs tbody tr[data-run='past-run'] input[type=checkbox]").CheckAsync();
        await page.WaitForFunctionAsync("() => playground.overlay && playground.overlay.length === 2");
        var overlay = await PlaygroundFixture.JsonAsync(page, "() => JSON.stringify(playground.charts['overlay-acc-chart'].data)");
        Assert.Equal(3, overlay.GetArrayLength());
        await fixture.ScreenshotAsync(page, "training.png");
        var popup = await page.Context.RunAndWaitForPageAsync(() => row.Locator("a.report").ClickAsync());
        await popup.WaitForLoadStateAsync();
        Assert.Equal($"Training run {name}", await popup.TitleAsync());
        await fixture.ScreenshotAsync(popup, "report.png");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
