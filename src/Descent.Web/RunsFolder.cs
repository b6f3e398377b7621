using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Descent.Web;

/// <summary>
/// The runs folder: one subfolder per run with <c>metrics.jsonl</c> (written by the lab's trainer), and optionally
/// <c>run.json</c> and <c>report.html</c>. Names are checked so that nothing outside the folder is ever readable.
/// </summary>
public sealed partial class RunsFolder
{
    /// <summary>Opens (without creating) the runs folder at <paramref name="root"/>.</summary>
    public RunsFolder(string root) => Root = Path.GetFullPath(root);

    /// <summary>The absolute path of the folder.</summary>
    public string Root { get; }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    /// <summary>Whether <paramref name="name"/> is a plain run name: letters, digits, '.', '_', '-', no separators, no "..".</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>The folder of run <paramref name="name"/>; a name with separators, "..", or one that resolves outside the root is a 400.</summary>
    public string PathOf(string? name)
    {
        if (!IsValidName(name))
            throw new ApiException(400, $"invalid run name '{Shorten(name)}': use letters, digits, '.', '_' and '-' only (no path separators, no '..')");
        string full = Path.GetFullPath(Path.Combine(Root, name!));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ApiException(400, "invalid run name: it resolves outside the runs folder");
        return full;
    }

    /// <summary>The existing folder of run <paramref name="name"/> (404 when absent, 400 when a link).</summary>
    public string ExistingPathOf(string? name)
    {
        string dir = PathOf(name);
        var info = new DirectoryInfo(dir);
        if (!info.Exists) throw new ApiException(404, $"no run '{name}' in the runs folder");
        if (info.LinkTarget is not null) throw new ApiException(400, $"run '{name}' is a link; links are not followed");
        return dir;
    }

    /// <summary>A file of a run that the browser may open: <c>report.html</c>, <c>metrics.csv</c>, <c>metrics.jsonl</c>, <c>run.json</c> or a PNG figure.</summary>
    public string FileOf(string? name, string? file)
    {
        string dir = ExistingPathOf(name);
        if (!IsValidName(file) || !(file is "report.html" or "metrics.csv" or "metrics.jsonl" or "run.json" || file!.EndsWith(".png", StringComparison.Ordinal)))
            throw new ApiException(400, $"invalid file name '{Shorten(file)}': only report.html, metrics.csv, metrics.jsonl, run.json and .png figures are served");
        string full = Path.GetFullPath(Path.Combine(dir, file));
        if (!full.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw new ApiException(400, "invalid file name");
        var info = new FileInfo(full);
        if (!info.Exists) throw new ApiException(404, $"run '{name}' has no {file}");
        if (info.LinkTarget is not null) throw new ApiException(400, $"{file} is a link; links are not followed");
        return full;
    }

    /// <summary>The runs (newest first): subfolders with metrics or a report.</summary>
    public IReadOnlyList<RunSummary> List()
    {
        if (!Directory.Exists(Root)) return [];
        var runs = new List<RunSummary>();
        foreach (var dir in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (!IsValidName(dir.Name) || dir.LinkTarget is not null) continue;
            bool metrics = File.Exists(Path.Combine(dir.FullName, "metrics.jsonl"));
            bool report = File.Exists(Path.Combine(dir.FullName, "report.html"));
            if (!metrics && !report) continue;
            var rows = metrics ? ReadMetrics(dir.FullName) : [];
            var settings = ReadSettings(dir.FullName);
            runs.Add(new RunSummary(dir.Name, dir.LastWriteTimeUtc, rows.Count, rows.Count > 0 ? rows[^1] : null, report,
                settings.GetValueOrDefault("optimizer") as string, settings.GetValueOrDefault("schedule") as string, settings.GetValueOrDefault("status") as string));
        }
        return [.. runs.OrderByDescending(r => r.Modified).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>The epoch rows of a run's <c>metrics.jsonl</c> (malformed lines are skipped).</summary>
    public static IReadOnlyList<MetricsRow> ReadMetrics(string dir)
    {
        string path = Path.Combine(dir, "metrics.jsonl");
        if (!File.Exists(path)) return [];
        var rows = new List<MetricsRow>();
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                rows.Add(new MetricsRow(r.GetProperty("epoch").GetInt32(), r.GetProperty("step").GetInt64(), Get(r, "train_loss"), Get(r, "test_loss"),
                    Get(r, "test_accuracy"), Get(r, "lr"), Get(r, "train_seconds")));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // a partly written or foreign line: skip it
            }
        }
        return rows;
    }

    private static double Get(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN;

    private static Dictionary<string, object?> ReadSettings(string dir)
    {
        string path = Path.Combine(dir, "run.json");
        var result = new Dictionary<string, object?>();
        if (!File.Exists(path)) return result;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.String) result[p.Name] = p.Value.GetString();
        }
        catch (JsonException)
        {
        }
        return result;
    }

    private static string Shorten(string? s) => s is null ? "" : s.Length > 60 ? s[..60] + "..." : s;
}

/// <summary>One epoch of a run's metrics file.</summary>
public sealed record MetricsRow(int Epoch, long Step, double TrainLoss, double TestLoss, double TestAccuracy, double Lr, double TrainSeconds);

/// <summary>A run in the list: name, last change, epochs, last epoch's metrics, whether it has a report, and its settings when known.</summary>
public sealed record RunSummary(string Name, DateTime Modified, int Epochs, MetricsRow? Last, bool HasReport, string? Optimizer, string? Schedule, string? Status);
