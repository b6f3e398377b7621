using System.Text.Json;

namespace Descent.Parity;

/// <summary>The numeric precision a case is replayed in.</summary>
public enum ParityPrecision
{
    /// <summary>float64: the case's own tolerance.</summary>
    Double,
    /// <summary>float32: rtol 1e-4, atol 1e-6.</summary>
    Float,
}

/// <summary>
/// Replays reference traces recorded from PyTorch (the format of <c>tests/Descent.Tests/Fixtures/golden/README.md</c>).
/// Each kind of case has a replayer registered here; a file of an unknown kind is reported as failed, not skipped.
/// </summary>
public static class ParityRunner
{
    /// <summary>A replayer: the case's JSON root, its name, the comparer to feed, and the precision.</summary>
    public delegate void Replayer(JsonElement root, ParityComparer comparer, ParityPrecision precision);

    private static readonly Dictionary<string, Replayer> Replayers = new(StringComparer.OrdinalIgnoreCase)
    {
        // One line per kind ("kind" field, or "kind/Class" for a class with its own replayer).
        ["optimizer"] = OptimizerParity.Replay,
        ["optimizer/LBFGS"] = LbfgsParity.Replay,
        ["schedule"] = ScheduleParity.Replay,
        ["loss"] = LossParity.Replay,
    };

    // Cases whose float32 replay is refused, with the reason printed instead of a meaningless failure.
    private static readonly Dictionary<string, string> FloatRefusals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["optimizer/LBFGS"] = "float refused for LBFGS: the traces are float64 runs of a chaotic iteration that PyTorch's own "
            + "float32 LBFGS leaves by far more than rtol 1e-4 (bench/lbfgs_torch_traces.py); replay in double",
    };

    /// <summary>Expands files and directories (recursively, *.json) into a sorted list of case files.</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> filesOrDirectories)
    {
        var files = new List<string>();
        foreach (string path in filesOrDirectories)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"No such file or directory: {path}", path);
            }
        }
        return files;
    }

    /// <summary>Replays one case file. Malformed files give a failed result with the reason, never an exception.</summary>
    public static ParityResult Run(string path, ParityPrecision precision = ParityPrecision.Double)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Run(document.RootElement, name, precision);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return new ParityResult(name, "?", false, double.NaN, double.NaN, $"unreadable: {ex.Message}");
        }
    }

    /// <summary>Replays one case given as parsed JSON.</summary>
    public static ParityResult Run(JsonElement root, string name, ParityPrecision precision = ParityPrecision.Double)
    {
        string kind = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "?";
        try
        {
            string? cls = kind switch
            {
                "optimizer" => GetString(root, "optimizer"),
                "schedule" => GetString(root, "scheduler"),
                "loss" => GetString(root, "loss"),
                _ => null,
            };
            Replayer? replayer = null;
            if (cls is not null) Replayers.TryGetValue($"{kind}/{cls}", out replayer);
            if (replayer is null) Replayers.TryGetValue(kind, out replayer);
            if (replayer is null)
            {
                return new ParityResult(name, kind, false, double.NaN, double.NaN, $"no replayer for kind '{kind}'");
            }
            if (precision == ParityPrecision.Float && cls is not null && FloatRefusals.TryGetValue($"{kind}/{cls}", out string? refusal))
            {
                return new ParityResult(name, kind, false, double.NaN, double.NaN, refusal) { Skipped = true };
            }
            var tolerance = precision == ParityPrecision.Float ? ParityTolerance.Float : ReadTolerance(root);
            var comparer = new ParityComparer(tolerance);
            replayer(root, comparer, precision);
            return comparer.Result(name, kind);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException
                                       or ArgumentException or NotSupportedException or IndexOutOfRangeException)
        {
            return new ParityResult(name, kind, false, double.NaN, double.NaN, $"cannot replay: {ex.Message}");
        }
    }

    private static string? GetString(JsonElement root, string property)
        => root.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ParityTolerance ReadTolerance(JsonElement root)
    {
        if (root.TryGetProperty("tolerance", out var t))
        {
            return new ParityTolerance(t.GetProperty("rtol").GetDouble(), t.GetProperty("atol").GetDouble());
        }
        return new ParityTolerance(1e-6, 1e-9);
    }
}
