using System.Net;
using System.Reflection;
using System.Text;
using Descent.Analysis;
using Descent.Optimizers;
using Descent.Schedules;
using Descent.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Descent.Web;

/// <summary>Settings of <c>descent serve</c>.</summary>
public sealed record PlaygroundOptions
{
    /// <summary>TCP port (0: any free port). Default 5117.</summary>
    public int Port { get; init; } = 5117;
    /// <summary>Address to bind. Default 127.0.0.1 (loopback only).</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>The runs folder (trainings write here; the Training page lists it). Default <c>runs</c>.</summary>
    public string RunsDirectory { get; init; } = "runs";
    /// <summary>The MNIST folder (null: data/mnist-10k found above the current directory).</summary>
    public string? DataDirectory { get; init; }
    /// <summary>Trainings that may run at the same time. Default 1.</summary>
    public int MaxTrainings { get; init; } = 1;
    /// <summary>Largest accepted request body in bytes. Default 64 KiB.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;
    /// <summary>Longest a trajectory or schedule computation may take before it is cancelled. Default 20 s.</summary>
    public TimeSpan ComputeTimeout { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// The playground web application: static page (embedded), JSON API computing trajectories, schedules and trainings with the
/// library and the lab, and a server-sent-event stream of a training. Every refused request gets a 4xx with <c>{"error": ...}</c>.
/// </summary>
public sealed class PlaygroundServer : IAsyncDisposable
{
    /// <summary>The most steps a schedule preview may ask.</summary>
    public const int MaxScheduleSteps = 200_000;

    private readonly WebApplication _app;
    private readonly PlaygroundOptions _options;
    private readonly SemaphoreSlim _compute = new(Math.Max(2, Environment.ProcessorCount));
    private readonly TrainingService _training;
    private readonly RunsFolder _runs;

    private PlaygroundServer(WebApplication app, PlaygroundOptions options, RunsFolder runs, TrainingService training)
    {
        _app = app;
        _options = options;
        _runs = runs;
        _training = training;
    }

    /// <summary>The runs folder.</summary>
    public RunsFolder Runs => _runs;

    /// <summary>The trainings.</summary>
    public TrainingService Training => _training;

    /// <summary>The address the server listens on, e.g. <c>http://127.0.0.1:5117/</c> (known after <see cref="StartAsync"/>).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Whether <paramref name="host"/> is a loopback address or name.</summary>
    public static bool IsLoopback(string host) =>
        host is "localhost" || IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);

    /// <summary>Builds the server (it does not listen until <see cref="StartAsync"/>).</summary>
    public static PlaygroundServer Create(PlaygroundOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), options.Port, $"--port must be in [0, 65535], got {options.Port}");
        if (options.MaxTrainings < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxTrainings, $"--max-trainings must be >= 1, got {options.MaxTrainings}");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        string host = options.Host.Contains(':') && !options.Host.StartsWith('[') ? $"[{options.Host}]" : options.Host;
        builder.WebHost.UseUrls($"http://{host}:{options.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = Math.Max(options.MaxBodyBytes * 4L, 1 << 20);
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        var runs = new RunsFolder(options.RunsDirectory);
        var training = new TrainingService(runs, options.MaxTrainings, options.DataDirectory);
        var app = builder.Build();
        var server = new PlaygroundServer(app, options, runs, training);
        server.Map();
        return server;
    }

    /// <summary>Starts listening; <see cref="Address"/> then holds the real address (with the port chosen when 0 was asked).</summary>
    public async Task StartAsync(CancellationToken cancellation = default)
    {
        await _app.StartAsync(cancellation).ConfigureAwait(false);
        string first = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(first.EndsWith('/') ? first : first + "/");
    }

    /// <summary>Runs until the process is asked to stop (Ctrl+C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>Stops trainings (each saves its checkpoint) and the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _training.StopAllAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _compute.Dispose();
    }

    private void Map()
    {
        var app = _app;
        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'self'";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // the client went away: nothing to answer
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                var (status, error) = e switch
                {
                    ApiException a => (a.Status, (Exception)a),
                    TextFormatException t => (400, t),
                    BadHttpRequestException b => (b.StatusCode is >= 400 and < 500 ? b.StatusCode : 400, b),
                    ArgumentException or FormatException => (400, e),
                    OperationCanceledException => (422, new Exception($"the computation took longer than {_options.ComputeTimeout.TotalSeconds:F0} s and was cancelled; ask fewer steps")),
                    _ => (500, new Exception("internal error: " + e.Message)),
                };
                await ErrorBodies.WriteAsync(context, status, error);
            }
        });

        app.MapGet("/api/info", () => Results.Json(new
        {
            functions = PlaygroundLandscape.Names,
            optimizers = OptimizerCatalog.All.Select(d => new { d.Name, d.Description }).Append(new { Name = "lbfgs", Description = "L-BFGS with a strong Wolfe line search (the library's minimizer)" }),
            schedules = ScheduleText.Names.Order(StringComparer.Ordinal),
            max_steps = Trajectories.MaxSteps,
            max_lbfgs_iterations = Trajectories.MaxLbfgsIterations,
            max_schedule_steps = MaxScheduleSteps,
            max_body_bytes = _options.MaxBodyBytes,
            max_trainings = _training.MaxConcurrent,
            runs = _runs.Root,
        }, Json.Options));

        app.MapGet("/api/landscapes", () => Results.Json(PlaygroundLandscape.Names.Select(n => Describe(PlaygroundLandscape.Create(n))), Json.Options));

        app.MapGet("/api/landscapes/{name}/grid", (string name, int? n) =>
        {
            var l = Landscape(name, 0);
            int size = n ?? 120;
            if (size is < 10 or > 300) throw new ApiException(400, $"n must be in [10, 300], got {size}");
            var (x0, x1, y0, y1) = l.Function.Bounds;
            var xs = Enumerable.Range(0, size).Select(i => x0 + (x1 - x0) * i / (size - 1)).ToArray();
            var ys = Enumerable.Range(0, size).Select(j => y0 + (y1 - y0) * j / (size - 1)).ToArray();
            var z = ys.Select(y => xs.Select(x => l.Value(x, y)).ToArray()).ToArray();
            return Results.Json(new { name = l.Name, x = xs, y = ys, z }, Json.Options);
        });

        app.MapPost("/api/trajectory", async context =>
        {
            var body = await JsonBody.ReadAsync(context, _options.MaxBodyBytes, "function", "seed", "start", "optimizer", "schedule", "steps");
            string function = body.String("function", required: true, maxLength: 64)!;
            ulong seed = (ulong)body.Integer("seed", 0, 0, int.MaxValue);
            var landscape = Landscape(function, seed);
            var (x0, x1, y0, y1) = landscape.Function.Bounds;
            var start = body.Pair("start") ?? landscape.Function.Start;
            if (start.X < x0 || start.X > x1 || start.Y < y0 || start.Y > y1)
                throw new ApiException(400, $"start ({G(start.X)}, {G(start.Y)}) is outside the domain of {landscape.Name}: x in [{G(x0)}, {G(x1)}], y in [{G(y0)}, {G(y1)}]");
            string optimizer = body.String("optimizer", required: true, maxLength: 500)!;
            string? schedule = body.String("schedule", maxLength: 1000);
            bool lbfgs = Trajectories.IsLbfgs(optimizer);
            int cap = lbfgs ? Trajectories.MaxLbfgsIterations : Trajectories.MaxSteps;
            long steps = body.Integer("steps", lbfgs ? 50 : 300, 0, long.MaxValue);
            if (steps > cap) throw new ApiException(400, $"steps {steps} is above the cap of {cap}{(lbfgs ? " for lbfgs()" : "")}");
            var result = await Compute(context, token => Trajectories.Compute(landscape, start.X, start.Y, optimizer, schedule, (int)steps, token));
            await context.Response.WriteAsJsonAsync(new
            {
                function = landscape.Name,
                seed,
                start = new[] { start.X, start.Y },
                steps,
                result.Optimizer,
                result.Schedule,
                result.X,
                result.Y,
                result.Loss,
                lr = result.LearningRate,
                result.Stopped,
            }, Json.Options);
        });

        app.MapPost("/api/schedule", async context =>
        {
            var body = await JsonBody.ReadAsync(context, _options.MaxBodyBytes, "text", "steps", "lr", "weight_decay", "batch_size");
            string text = body.String("text", required: true, maxLength: 2000)!;
            long steps = body.Integer("steps", 1000, 1, long.MaxValue);
            if (steps > MaxScheduleSteps) throw new ApiException(400, $"steps {steps} is above the cap of {MaxScheduleSteps}");
            double baseLr = body.Number("lr", 1.0, double.Epsilon, 1e6);
            double weightDecay = body.Number("weight_decay", 0.01, 0, 1e6);
            double batch = body.Number("batch_size", 128, 1, 1e9);
            var answer = await Compute(context, token =>
            {
                var schedule = ScheduleText.Parse(text, steps);
                var rates = ScheduleMeasures.Rates(schedule, steps, baseLr);
                token.ThrowIfCancellationRequested();
                double[]? momentum = schedule.DrivesMomentum ? Enumerable.Range(0, (int)steps).Select(t => schedule.MomentumAt(t) ?? double.NaN).ToArray() : null;
                var survival = new double[steps];
                double p = 1;
                for (int t = 0; t < steps; t++)
                {
                    p *= 1 - rates[t] * weightDecay;
                    survival[t] = p;
                }
                return new
                {
                    schedule = schedule.ToString(),
                    absolute = schedule.IsAbsolute,
                    steps,
                    base_lr = baseLr,
                    lr = rates,
                    momentum,
                    decay_survival = survival,
                    measures = new
                    {
                        flatness = ScheduleMeasures.Flatness(rates),
                        weight_decay = weightDecay,
                        weight_decay_product = ScheduleMeasures.WeightDecayProduct(rates, weightDecay),
                        batch_size = batch,
                        noise_scale_first = ScheduleMeasures.NoiseScale(rates[0], batch),
                        noise_scale_peak = ScheduleMeasures.NoiseScale(rates.Max(), batch),
                        noise_scale_last = ScheduleMeasures.NoiseScale(rates[^1], batch),
                        lr_sum = rates.Sum(),
                    },
                };
            });
            await context.Response.WriteAsJsonAsync(answer, Json.Options);
        });

        app.MapPost("/api/train", async context =>
        {
            var body = await JsonBody.ReadAsync(context, _options.MaxBodyBytes, "problem", "optimizer", "schedule", "epochs", "batch_size", "hidden", "train_limit", "seed", "name");
            var request = new TrainingRequest
            {
                Problem = body.String("problem", maxLength: 64) ?? "mnist-mlp",
                Optimizer = body.String("optimizer", maxLength: 500) ?? "adamw(lr=3e-3, weight_decay=0.01)",
                Schedule = body.String("schedule", maxLength: 1000),
                Epochs = (int)body.Integer("epochs", 10, 1, 1000),
                BatchSize = (int)body.Integer("batch_size", 128, 1, 60000),
                Hidden = (int)body.Integer("hidden", 64, 1, 4096),
                TrainLimit = body.Integer("train_limit", -1, 1, 1_000_000) is var limit && limit > 0 ? (int)limit : null,
                Seed = (ulong)body.Integer("seed", 0, 0, int.MaxValue),
            };
            if (!Lab.Training.TrainingProblem.Names.Contains(request.Problem))
                throw new ApiException(400, $"unknown problem '{request.Problem}'; known: {string.Join(", ", Lab.Training.TrainingProblem.Names)}");
            string? name = body.String("name", maxLength: 200);
            if (name is not null) _runs.PathOf(name);
            OptimizerCatalog.Parse(request.Optimizer);
            if (!string.IsNullOrWhiteSpace(request.Schedule)) ScheduleText.Parse(request.Schedule);
            var session = _training.Start(request, name);
            context.Response.StatusCode = 202;
            await context.Response.WriteAsJsonAsync(new { name = session.Name, status = session.Status, events = $"/api/train/{session.Name}/events" }, Json.Options);
        });

        app.MapGet("/api/train", () => Results.Json(_training.Sessions.Select(s => new { s.Name, s.Status, s.Message, s.Request }), Json.Options));

        app.MapPost("/api/train/{name}/stop", (string name) =>
        {
            var s = _training.Get(name);
            s.Stop();
            return Results.Json(new { name = s.Name, status = s.IsFinished ? s.Status : "stopping" }, Json.Options);
        });

        app.MapGet("/api/train/{name}/events", async context =>
        {
            var session = _training.Get((string)context.Request.RouteValues["name"]!);
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var token = context.RequestAborted;
            int epochs = 0, points = 0;
            await Send(context, "start", new { name = session.Name, session.Request }, token);
            while (!token.IsCancellationRequested)
            {
                var (newEpochs, newPoints, status, message) = session.Snapshot(epochs, points);
                epochs += newEpochs.Length;
                points += newPoints.Length;
                if (newPoints.Length > 0) await Send(context, "progress", newPoints, token);
                foreach (var e in newEpochs) await Send(context, "epoch", e, token);
                if (status != "running")
                {
                    await Send(context, "done", new { status, message }, token);
                    break;
                }
                await Task.Delay(100, token);
            }
        });

        app.MapGet("/api/runs", () => Results.Json(_runs.List(), Json.Options));

        app.MapGet("/api/runs/{name}", (string name) =>
        {
            string dir = _runs.ExistingPathOf(name);
            return Results.Json(new { name, metrics = RunsFolder.ReadMetrics(dir), report = File.Exists(Path.Combine(dir, "report.html")) ? $"/runs/{name}/report.html" : null }, Json.Options);
        });

        app.MapGet("/runs/{name}/{file}", (string name, string file) =>
        {
            string path = _runs.FileOf(name, file);
            string type = file.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8"
                : file.EndsWith(".png", StringComparison.Ordinal) ? "image/png"
                : file.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            return Results.File(path, type);
        });

        app.Map("/api/{**rest}", (HttpContext context) => throw new ApiException(404, $"no API endpoint {context.Request.Method} {context.Request.Path}"));

        app.MapGet("/{**file}", (string? file) => StaticFile(string.IsNullOrEmpty(file) ? "index.html" : file));
    }

    private static async Task Send(HttpContext context, string name, object data, CancellationToken token)
    {
        string json = System.Text.Json.JsonSerializer.Serialize(data, Json.Options);
        await context.Response.WriteAsync($"event: {name}\ndata: {json}\n\n", token);
        await context.Response.Body.FlushAsync(token);
    }

    private async Task<T> Compute<T>(HttpContext context, Func<CancellationToken, T> work)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(_options.ComputeTimeout);
        if (!await _compute.WaitAsync(TimeSpan.FromSeconds(15), timeout.Token))
            throw new ApiException(429, "the server is busy computing other requests; try again");
        try
        {
            return await Task.Run(() => work(timeout.Token), timeout.Token);
        }
        finally
        {
            _compute.Release();
        }
    }

    private static PlaygroundLandscape Landscape(string name, ulong seed)
    {
        try
        {
            return PlaygroundLandscape.Create(name, seed);
        }
        catch (ArgumentException e)
        {
            throw new ApiException(400, e.Message);
        }
    }

    private static object Describe(PlaygroundLandscape l)
    {
        var (x0, x1, y0, y1) = l.Function.Bounds;
        return new
        {
            name = l.Name,
            title = l.Title,
            bounds = new[] { x0, x1, y0, y1 },
            start = new[] { l.Function.Start.X, l.Function.Start.Y },
            minima = l.Function.Minima.Select(m => new[] { m.X, m.Y }),
            minimum_value = l.Function.Minima.Count == 0 ? (double?)null : l.Function.Minima.Min(m => l.Value(m.X, m.Y)),
            noisy = l.IsNoisy || l.Name == "noisy-quadratic",
            noise_sigma = l.Name == "noisy-quadratic" ? PlaygroundLandscape.NoisyQuadraticSigma : 0,
        };
    }

    private static string G(double v) => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    };

    private static IResult StaticFile(string file)
    {
        if (file.Contains("..", StringComparison.Ordinal) || file.Contains('\\') || file.Length > 200)
            throw new ApiException(400, "invalid file name");
        var stream = typeof(PlaygroundServer).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null) throw new ApiException(404, $"no file /{file}");
        string type = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
        return Results.Stream(stream, type);
    }

    /// <summary>The names of the embedded page files (for tests and packaging checks).</summary>
    public static IReadOnlyList<string> PageFiles =>
        typeof(PlaygroundServer).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)).Select(n => n["wwwroot/".Length..]).Order(StringComparer.Ordinal).ToArray();
}
