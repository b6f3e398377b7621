using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Descent.Web.Tests;

/// <summary><c>descent serve</c> as a child process: prints its address, answers there, warns before binding a non-loopback host.</summary>
public sealed class CliServeTests
{
    [Fact]
    public async Task ServePrintsItsLoopbackAddressAndAnswersThere()
    {
        string runs = Path.Combine(Path.GetTempPath(), "descent-serve-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll"), "serve", "--port", "0", "--runs", runs }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var line = process.StandardOutput.ReadLineAsync();
            Assert.True(line.Wait(TimeSpan.FromSeconds(30)), "no address printed");
            var match = Regex.Match(line.Result ?? "", @"listening on (http://127\.0\.0\.1:\d+/)");
            Assert.True(match.Success, line.Result);
            using var http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value) };
            string page = await http.GetStringAsync("/");
            Assert.Contains("Descent playground", page);
            Assert.Contains("uPlot", await http.GetStringAsync("/vendor/uPlot.iife.min.js"));
        }
        finally
        {
            process.Kill(true);
            process.WaitForExit(10000);
            if (Directory.Exists(runs)) Directory.Delete(runs, true);
        }
    }

    [Fact]
    public void ANonLoopbackHostPrintsAWarningLineFirst()
    {
        // 192.0.2.1 (TEST-NET-1) is never assigned to this machine: the warning is printed, then binding fails cleanly.
        var (code, _, error) = PlaygroundFixture.RunCli("serve", "--host", "192.0.2.1", "--port", "0", "--runs", Path.GetTempPath());
        Assert.StartsWith("descent: warning: listening on 192.0.2.1, not loopback", error);
        Assert.Equal(2, code);
        Assert.Contains("cannot listen on 192.0.2.1", error);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("192.168.1.5", false)]
    [InlineData("example.org", false)]
    public void LoopbackIsRecognised(string host, bool loopback) => Assert.Equal(loopback, PlaygroundServer.IsLoopback(host));

    [Fact]
    public void ThePageShipsInsideTheAssemblyWithTheChartingLibraryAndItsLicence() =>
        Assert.Equal(["app.css", "app.js", "index.html", "vendor/uPlot.LICENSE.txt", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"], PlaygroundServer.PageFiles);
}
