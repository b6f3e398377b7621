using System.Text.Json;
using System.Text.RegularExpressions;
using Descent.Lab.Data;
using Descent.Lab.Problems;
using Descent.Lab.Reports;

namespace Descent.Lab.Tests.Reports;

public class ReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Plots are kept (overwritten each run) in the temp folder for a human to look at.</summary>
    private static string PlotFolder => Path.Combine(Path.GetTempPath(), "descent-lab-tests", "plots");

    private static Series GradientDescentPath(Landscape2D landscape, double learningRate, int steps)
    {
        var (x, y) = landscape.Start;
        var xs = new List<double> { x };
        var ys = new List<double> { y };
        for (int i = 0; i < steps; i++)
        {
            var (dx, dy) = landscape.Gradient(x, y);
            x -= learningRate * dx;
            y -= learningRate * dy;
            xs.Add(x);
            ys.Add(y);
        }
        return new Series($"GD lr={learningRate}", xs.ToArray(), ys.ToArray());
    }

    [Fact]
    public void AllPlotKindsRenderToPngAndSvg()
    {
        var ravine = new Ravine();
        var plots = new (string Name, ScottPlot.Plot Plot)[]
        {
            ("line-log", Plots.Line("Loss", "step", "loss", [
                Series.FromValues("fast", Enumerable.Range(0, 100).Select(i => Math.Exp(-0.1 * i)).ToArray()),
                Series.FromValues("slow", Enumerable.Range(0, 100).Select(i => Math.Exp(-0.02 * i)).ToArray())], logY: true)),
            ("contour", Plots.Contour("Ravine", ravine.Value, ravine.Bounds,
                [GradientDescentPath(ravine, 1.9, 40), GradientDescentPath(ravine, 0.5, 40)])),
            ("rosenbrock", Plots.Contour("Rosenbrock", new Rosenbrock().Value, new Rosenbrock().Bounds,
                [GradientDescentPath(new Rosenbrock(), 1e-3, 2000)])),
            ("scatter", ScatterOf(SyntheticData.LinearlySeparable2D(200, 1))),
            ("bar", Plots.Bar("Final loss", "loss", ["SGD", "Adam", "L-BFGS"], [0.3, 0.05, 1e-6], logY: true)),
        };
        foreach (var (name, plot) in plots)
        {
            var (png, svg) = Plots.Save(plot, Path.Combine(PlotFolder, name));
            byte[] bytes = File.ReadAllBytes(png);
            Assert.True(bytes.AsSpan().StartsWith(PngSignature), $"{png} is not a PNG");
            Assert.True(bytes.Length > 5000, $"{png} is suspiciously small ({bytes.Length} bytes)");
            string text = File.ReadAllText(svg);
            Assert.Contains("<svg", text);
        }
    }

    private static ScottPlot.Plot ScatterOf(Dataset d) =>
        Plots.Scatter("Separable", "x₁", "x₂", Enumerable.Range(0, d.Count).Select(i => (double)d.Features[2 * i]).ToArray(),
            Enumerable.Range(0, d.Count).Select(i => (double)d.Features[2 * i + 1]).ToArray(), d.Labels, ["negative", "positive"]);

    [Fact]
    public void HtmlReportIsSelfContainedWithBase64Images()
    {
        var report = new HtmlReport("Run <1>")
            .Heading("Setup")
            .Paragraph("Adam & SGD on a ravine.")
            .Preformatted("descent train --optimizer adam(lr=1e-3)")
            .Table(["optimizer", "final loss"], [["SGD", "0.3"], ["Adam", "0.05"]], caption: "Results")
            .Plot(Plots.Bar("Final loss", "loss", ["SGD", "Adam"], [0.3, 0.05]), "bar chart", "Final losses");
        string dir = TestPaths.TempDirectory();
        string path = Path.Combine(dir, "report.html");
        report.Save(path);
        string html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Run &lt;1&gt;</title>", html);
        Assert.Contains("Adam &amp; SGD", html);
        Assert.Contains("<td>Adam</td><td>0.05</td>", html);
        var match = Regex.Match(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(match.Success);
        Assert.True(Convert.FromBase64String(match.Groups[1].Value).AsSpan().StartsWith(PngSignature));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("<script", html);
        Assert.Throws<ArgumentException>(() => report.Image([1, 2, 3], "not a png"));
        Assert.Throws<ArgumentException>(() => report.Table(["a", "b"], [["only one"]]));
        Directory.Delete(dir, true);
    }

    public sealed record RunResult(string Optimizer, double FinalLoss, double[] Losses, BatchMode Mode);

    [Fact]
    public void ResultsJsonAndCsvRoundTrip()
    {
        string dir = TestPaths.TempDirectory();
        var result = new RunResult("adam", double.NaN, [1, 0.5, 0.25], BatchMode.MiniBatch);
        string json = Path.Combine(dir, "results.json");
        ResultsFiles.WriteJson(json, result);
        var read = ResultsFiles.ReadJson<RunResult>(json);
        Assert.Equal(result.Losses, read.Losses);
        Assert.True(double.IsNaN(read.FinalLoss));
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
        {
            Assert.Equal("MiniBatch", doc.RootElement.GetProperty("mode").GetString());
        }
        string csv = Path.Combine(dir, "series.csv");
        ResultsFiles.WriteCsv(csv, ["step", "loss"], [[0, 1], [0.1, 1.0 / 3]]);
        Assert.Equal(["step,loss", "0,0.1", "1,0.3333333333333333"], File.ReadAllLines(csv));
        ResultsFiles.WriteSeriesCsv(csv, [new Series("a,b", [0], [2.5])]);
        Assert.Equal(["series,x,y", "\"a,b\",0,2.5"], File.ReadAllLines(csv));
        Assert.Throws<ArgumentException>(() => ResultsFiles.WriteCsv(csv, ["a", "b"], [[1], [1, 2]]));
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData(10, 20)] // Category10 and Category20 as published (Category20's two light blues are 26 apart)
    [InlineData(20, 20)]
    [InlineData(21, 35)] // beyond 20: hues in three lightnesses; one hue per series put the first and last 26 apart at 31
    [InlineData(31, 35)]
    [InlineData(40, 35)]
    public void PaletteGivesEverySeriesOfAPlotItsOwnColour(int count, double minimumDistance)
    {
        var colors = Enumerable.Range(0, count).Select(i => Plots.Palette(i, count)).ToArray();
        // Distance in RGB (0-255 per channel): every pair, and the first and last series in particular, well apart.
        static double Distance(ScottPlot.Color a, ScottPlot.Color b) =>
            Math.Sqrt(Math.Pow(a.R - b.R, 2) + Math.Pow(a.G - b.G, 2) + Math.Pow(a.B - b.B, 2));
        for (int i = 0; i < count; i++)
            for (int j = i + 1; j < count; j++)
                Assert.True(Distance(colors[i], colors[j]) > minimumDistance, $"series {i} and {j} of {count}: {colors[i]} vs {colors[j]}");
    }
}
