using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Descent.Web.Tests;

/// <summary>
/// One real server (Kestrel on a free loopback port, a fresh runs folder) and one headless Debian chromium driven by
/// Microsoft.Playwright with <c>ExecutablePath</c> set: no browser is downloaded. Shared by the browser and abuse tests.
/// </summary>
public sealed class PlaygroundFixture : IAsyncLifetime
{
    /// <summary>The chromium the tests drive: $DESCENT_CHROMIUM, else Debian's /usr/bin/chromium (.ci/setup.d/30-chromium.sh installs it).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("DESCENT_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public PlaygroundServer Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string RunsDirectory { get; } = Path.Combine(Path.GetTempPath(), "descent-web-tests-" + Guid.NewGuid().ToString("N")[..12]);
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");
    public HttpClient Http { get; private set; } = null!;

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Descent.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Descent.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(RunsDirectory);
        Directory.CreateDirectory(ScreenshotDirectory);
        SeedPastRun();
        Server = PlaygroundServer.Create(new PlaygroundOptions
        {
            Port = 0,
            RunsDirectory = RunsDirectory,
            DataDirectory = Path.Combine(RepositoryRoot, "data", "mnist-10k"),
        });
        await Server.StartAsync();
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = Server.Address, Timeout = TimeSpan.FromSeconds(60) };
        if (!File.Exists(ChromiumPath)) throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (.ci/setup.d/30-chromium.sh)");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A past run as `descent train` leaves it (metrics.jsonl), and a link to /etc that must never be followed.</summary>
    private void SeedPastRun()
    {
        string dir = Path.Combine(RunsDirectory, "past-run");
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "metrics.jsonl"),
        [
            """{"epoch":1,"step":10,"train_loss":1.5,"test_loss":1.2,"test_accuracy":0.61,"lr":0.01,"train_seconds":0.1,"eval_seconds":0.01}""",
            """{"epoch":2,"step":20,"train_loss":0.9,"test_loss":0.8,"test_accuracy":0.74,"lr":0.01,"train_seconds":0.1,"eval_seconds":0.01}""",
        ]);
        File.CreateSymbolicLink(Path.Combine(RunsDirectory, "linked"), "/etc");
    }

    /// <summary>A page at a laptop's size that records script errors.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(string hash)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        // 4xx answers are expected where the page shows a refused text; script errors and 5xx answers are not.
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)) errors.Add(m.Text); };
        page.Response += (_, r) => { if (r.Status >= 500) errors.Add($"{r.Status} from {r.Url}"); };
        page.RequestFailed += (_, r) => { if (!r.Url.StartsWith(Server.Address.ToString(), StringComparison.Ordinal)) errors.Add("outside request: " + r.Url); };
        page.Request += (_, r) => { if (!r.Url.StartsWith(Server.Address.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) errors.Add("request outside the server: " + r.Url); };
        await page.GotoAsync(new Uri(Server.Address, "/#" + hash).ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30000 });
        return (page, errors);
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name), FullPage = true });

    /// <summary>Evaluates <paramref name="script"/> (which returns JSON text) in the page and parses it.</summary>
    public static async Task<JsonElement> JsonAsync(IPage page, string script)
    {
        string text = await page.EvaluateAsync<string>(script);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Runs the CLI as a child process (<c>dotnet Descent.Cli.dll ARGS</c>) and returns its exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Error) RunCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60000)) { process.Kill(true); throw new TimeoutException("descent " + string.Join(' ', args)); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        Http?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        var link = new DirectoryInfo(Path.Combine(RunsDirectory, "linked"));
        if (link.LinkTarget is not null) link.Delete(); // the link only, never /etc
        try { Directory.Delete(RunsDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("playground")]
public sealed class PlaygroundCollection : ICollectionFixture<PlaygroundFixture>;
