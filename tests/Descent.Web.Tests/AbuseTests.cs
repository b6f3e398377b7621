using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Descent.Lab.Data;
using Descent.Lab.Problems;
using Descent.Optimizers;

namespace Descent.Web.Tests;

/// <summary>Hostile and malformed requests on loopback: every answer is 2xx or 4xx with a JSON message, and the server stays up.</summary>
[Collection("playground")]
public sealed class AbuseTests(PlaygroundFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static async Task<(int Status, JsonElement Body)> Read(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, doc.RootElement.Clone());
    }

    private async Task<(int Status, JsonElement Body)> Post(string path, string body) =>
        await Read(await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json")));

    private async Task ServerIsUp()
    {
        var info = await Http.GetAsync("/api/info");
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task TwoHundredConcurrentTrajectoryRequestsAllGet2xxOr4xx()
    {
        string[] optimizers = ["adam(lr=0.01)", "sgd(lr=1e-3, momentum=0.9)", "lbfgs()", "lion(lr=1e-3)", "nosuch()", "adam(lr=-1)"];
        var tasks = Enumerable.Range(0, 200).Select(i => Http.PostAsJsonAsync("/api/trajectory", new
        {
            function = PlaygroundLandscape.Names[i % PlaygroundLandscape.Names.Count],
            optimizer = optimizers[i % optimizers.Length],
            steps = optimizers[i % optimizers.Length] == "lbfgs()" ? 40 : 2000,
            seed = i,
        })).ToArray();
        var responses = await Task.WhenAll(tasks);
        var statuses = responses.Select(r => (int)r.StatusCode).ToArray();
        Assert.All(statuses, s => Assert.True(s is >= 200 and < 500, $"status {s}"));
        Assert.Equal(200 - 2 * 200 / optimizers.Length - (200 % optimizers.Length > 4 ? 1 : 0), statuses.Count(s => s == 200));
        Assert.All(responses.Where(r => (int)r.StatusCode == 400), r => Assert.Contains("\"error\"", r.Content.ReadAsStringAsync().Result));
        await ServerIsUp();
    }

    [Theory]
    [InlineData("{", "malformed JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("null", "expected a JSON object")]
    [InlineData("", "empty request body")]
    [InlineData("{\"function\": 1, \"optimizer\": \"adam()\"}", "field 'function' must be a string")]
    [InlineData("{\"function\": \"nosuch\", \"optimizer\": \"adam()\"}", "unknown function 'nosuch'")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"nosuch(lr=1)\"}", "Unknown optimizer 'nosuch'")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam(lr=\"}", "at character")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"steps\": 5001}", "above the cap of 5000")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"lbfgs()\", \"steps\": 501}", "above the cap of 500")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"steps\": 1e300}", "field 'steps' must be in")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"steps\": -1}", "must be in")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"steps\": 2.5}", "must be an integer")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"start\": [99, 0]}", "outside the domain")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"start\": [1e999, 0]}", "finite number")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"start\": [\"NaN\", 0]}", "finite number")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"start\": [NaN, 0]}", "malformed JSON")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"start\": [Infinity, 0]}", "malformed JSON")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"start\": [1]}", "two numbers")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"lbfgs()\", \"schedule\": \"cosine(10)\"}", "takes no schedule")]
    [InlineData("{\"function\": \"rosenbrock\", \"optimizer\": \"adam()\", \"evil\": 1}", "unknown field 'evil'")]
    [InlineData("{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "malformed JSON")]
    public async Task MalformedTrajectoryRequestsGet400WithAClearMessage(string body, string expected)
    {
        var (status, json) = await Post("/api/trajectory", body);
        Assert.Equal(400, status);
        Assert.Contains(expected, json.GetProperty("cli").GetString());
        await ServerIsUp();
    }

    [Theory]
    [InlineData("{\"text\": \"cosine(\"}", "at character")]
    [InlineData("{\"text\": \"cosine(100)\", \"steps\": 200001}", "above the cap of 200000")]
    [InlineData("{\"text\": \"cosine(100)\", \"lr\": -1}", "field 'lr' must be in")]
    [InlineData("{\"text\": \"cosine(100)\", \"weight_decay\": \"inf\"}", "finite number")]
    [InlineData("{}", "field 'text' is required")]
    public async Task MalformedScheduleRequestsGet400(string body, string expected)
    {
        var (status, json) = await Post("/api/schedule", body);
        Assert.Equal(400, status);
        Assert.Contains(expected, json.GetProperty("cli").GetString());
    }

    [Fact]
    public async Task BodiesAboveTheCapGet413AndInvalidUtf8Gets400()
    {
        string big = "{\"function\": \"rosenbrock\", \"optimizer\": \"" + new string('a', 70_000) + "\"}";
        Assert.Equal(413, (await Post("/api/trajectory", big)).Status);
        // Declared far above the cap: refused from the headers, before the body is sent (Expect: 100-continue).
        var huge = new ByteArrayContent(new byte[8 << 20]);
        huge.Headers.ContentType = new("application/json");
        var hugeRequest = new HttpRequestMessage(HttpMethod.Post, "/api/schedule") { Content = huge };
        hugeRequest.Headers.ExpectContinue = true;
        var response = await Http.SendAsync(hugeRequest);
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Contains("above the cap", await response.Content.ReadAsStringAsync());
        // Streamed without a length (chunked): cut at the cap.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"text\": \"" + new string('x', 200_000) + "\"}")));
        chunked.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/schedule") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(413, (int)(await Http.SendAsync(request)).StatusCode);
        var invalid = new ByteArrayContent([(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        invalid.Headers.ContentType = new("application/json");
        Assert.Equal(400, (int)(await Http.PostAsync("/api/trajectory", invalid)).StatusCode);
        await ServerIsUp();
    }

    [Theory]
    [InlineData("/runs/..%2F..%2Fetc/passwd")]
    [InlineData("/runs/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/runs/past-run/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/runs/past-run/%2Fetc%2Fpasswd")]
    [InlineData("/runs/past-run/checkpoint.ckpt")]
    [InlineData("/runs/linked/passwd")]
    [InlineData("/runs/linked/report.html")]
    [InlineData("/api/runs/..%2F..%2Fetc")]
    [InlineData("/api/runs/linked")]
    [InlineData("/api/runs/..")]
    [InlineData("/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/api/train/..%2Fx/events")]
    public async Task PathTraversalGets4xxAndNeverAFileOutsideTheRunsFolder(string path)
    {
        var response = await Http.GetAsync(new Uri(Http.BaseAddress!, path));
        int status = (int)response.StatusCode;
        Assert.InRange(status, 400, 499);
        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("root:", body);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("/tmp/x")]
    [InlineData("a\\b")]
    public async Task TrainingNamesWithPathSeparatorsGet400(string name)
    {
        var (status, json) = await Post("/api/train", JsonSerializer.Serialize(new { problem = "synthetic-mlp", epochs = 1, name }));
        Assert.Equal(400, status);
        Assert.Contains("invalid run name", json.GetProperty("error").GetString());
        Assert.False(Directory.Exists(Path.GetFullPath(Path.Combine(fixture.RunsDirectory, name))) && !name.StartsWith('.'), name);
    }

    [Fact]
    public async Task RunsAreListedFromTheirMetricsFilesAndLinksAreNotFollowed()
    {
        var runs = await Http.GetFromJsonAsync<JsonElement>("/api/runs");
        var names = runs.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToArray();
        Assert.Contains("past-run", names);
        Assert.DoesNotContain("linked", names);
        var past = await Http.GetFromJsonAsync<JsonElement>("/api/runs/past-run");
        Assert.Equal(new[] { 0.61, 0.74 }, past.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("test_accuracy").GetDouble()));
        var csv = await Http.GetAsync("/runs/past-run/metrics.jsonl");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
    }

    [Fact]
    public async Task TheNoisyQuadraticIsSeededAndMatchesTheLibraryWithTheSameNoise()
    {
        async Task<double[]> Path(int seed)
        {
            var r = await Http.PostAsJsonAsync("/api/trajectory", new { function = "noisy-quadratic", seed, optimizer = "adam(lr=0.1)", steps = 200, start = new[] { -8.0, 2.0 } });
            var json = await r.Content.ReadFromJsonAsync<JsonElement>();
            return [json.GetProperty("x")[200].GetDouble(), json.GetProperty("y")[200].GetDouble()];
        }
        var a = await Path(7);
        Assert.Equal(a, await Path(7));
        Assert.NotEqual(a, await Path(8));
        // The same run here: the ill-conditioned quadratic x²/20 + y²/2 with N(0, 0.5²) noise from SeededRandom(7).
        var f = new Ravine(10);
        var noise = new SeededRandom(7);
        var optimizer = OptimizerCatalog.Create<double>("adam(lr=0.1)");
        var p = new[] { -8.0, 2.0 };
        var g = new double[2];
        optimizer.AddGroup(new Parameter<double>("xy", p, g));
        for (int t = 0; t < 200; t++)
        {
            f.Evaluate(p, g);
            g[0] += 0.5 * noise.NextGaussian();
            g[1] += 0.5 * noise.NextGaussian();
            optimizer.Step();
        }
        Assert.Equal(p, a);
    }

    [Fact]
    public void ATrajectoryChecksItsCancellationTokenAtEveryStep()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var landscape = PlaygroundLandscape.Create("rosenbrock");
        Assert.Throws<OperationCanceledException>(() => Trajectories.Compute(landscape, 0, 0, "adam()", null, 10, cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => Trajectories.Compute(landscape, 0, 0, "lbfgs()", null, 10, cancelled.Token));
    }
}
