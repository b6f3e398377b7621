using System.Text.Json;
using Descent.Lab.Experiments;
using Descent.Lab.Statistics;

namespace Descent.Lab.Tests.Reports;

public class ResultRecordTests
{
    private sealed class Fake(bool quickIsFull) : IExperiment
    {
        public int Number => 1;
        public string Id => "fake";
        public string Title => "Fake";
        public ExperimentResult Run(ExperimentContext context)
        {
            var r = new ExperimentResult
            {
                Claim = "claim", Summary = "summary", Outcome = Verdict.NotSupported,
                Source = new ClaimSource("The chapter", "A sentence."), Design = "design", Test = "paired t",
                Statistic = 2.5, PValue = 0.03, Interval = new Interval(0.1, 0.4, 0.95), QuickIsFullDesign = quickIsFull,
            };
            r.Departures.Add("fewer steps");
            return r;
        }
    }

    private static JsonElement RunAndRead(bool quick, bool quickIsFull, out string html)
    {
        string dir = TestPaths.TempDirectory();
        var context = new ExperimentContext(dir, "", quick, 1, _ => { });
        var outcomes = ReportBuilder.Run([new Fake(quickIsFull)], context);
        ReportBuilder.Write(outcomes, context, 1);
        html = File.ReadAllText(Path.Combine(dir, "report.html"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        return json.RootElement.GetProperty("experiments").GetProperty("fake").Clone();
    }

    [Fact]
    public void ResultsJsonCarriesTheRecordAndTheReportQuotesAndLinks()
    {
        var e = RunAndRead(quick: false, quickIsFull: false, out string html);
        Assert.Equal("not supported", e.GetProperty("outcome").GetString());
        Assert.Equal("The chapter", e.GetProperty("source").GetProperty("document").GetString());
        Assert.Equal("A sentence.", e.GetProperty("source").GetProperty("quote").GetString());
        Assert.Equal("claim", e.GetProperty("claim").GetString());
        Assert.Equal("design", e.GetProperty("design").GetString());
        Assert.Equal("paired t", e.GetProperty("test").GetString());
        Assert.Equal(2.5, e.GetProperty("statistic").GetDouble());
        Assert.Equal(0.03, e.GetProperty("p_value").GetDouble());
        Assert.Equal(0.4, e.GetProperty("interval").GetProperty("high").GetDouble());
        Assert.Contains("<a href=\"#fake\">Fake</a>", html);
        Assert.Contains("id=\"fake\"", html);
        Assert.Contains("<blockquote>A sentence.", html);
        Assert.Contains("Departure from the source&#39;s conditions: fewer steps", html);
    }

    [Fact]
    public void QuickRunIsInconclusiveUnlessItsDesignIsTheFullOne()
    {
        var quick = RunAndRead(quick: true, quickIsFull: false, out _);
        Assert.Equal("inconclusive", quick.GetProperty("outcome").GetString());
        Assert.Equal("not supported", quick.GetProperty("quick_indication").GetString());
        var same = RunAndRead(quick: true, quickIsFull: true, out _);
        Assert.Equal("not supported", same.GetProperty("outcome").GetString());
    }
}
