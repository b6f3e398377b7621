using System.Globalization;
using System.Text.Json;

namespace Descent.Lab.Training;

/// <summary>Writes a training run's per-epoch metrics: <c>metrics.csv</c> (header <see cref="CsvColumns"/>) and <c>metrics.jsonl</c> (one object per epoch, same keys).</summary>
internal static class TrainingMetricsWriter
{
    /// <summary>The CSV header, also the JSON keys.</summary>
    public static readonly string[] CsvColumns = ["epoch", "step", "train_loss", "test_loss", "test_accuracy", "lr", "train_seconds", "eval_seconds"];

    // A process killed after writing an epoch's metrics line but before its checkpoint redoes that epoch when resumed: the lines of
    // that epoch and later are dropped first, so each epoch appears once (the rewrite is small: one line per epoch).
    private static void DropEpochsFrom(string path, int epoch, Func<string, string> epochOf)
    {
        var lines = File.ReadAllLines(path);
        var kept = lines.Where(l => !(int.TryParse(epochOf(l), NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e >= epoch)).ToArray();
        if (kept.Length != lines.Length) File.WriteAllText(path, string.Concat(kept.Select(l => l + "\n")));
    }

    /// <summary>Appends epoch <paramref name="m"/> to <c>metrics.csv</c> and <c>metrics.jsonl</c> in <paramref name="dir"/> (epoch 1 starts both files afresh).</summary>
    public static void Append(string dir, EpochMetrics m)
    {
        string csv = Path.Combine(dir, "metrics.csv");
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (!File.Exists(csv) || m.Epoch == 1) File.WriteAllText(csv, string.Join(',', CsvColumns) + "\n");
        else DropEpochsFrom(csv, m.Epoch, line => line.Split(',')[0]);
        File.AppendAllText(csv, string.Join(',', m.Epoch.ToString(CultureInfo.InvariantCulture), m.Step.ToString(CultureInfo.InvariantCulture),
            F(m.TrainLoss), F(m.TestLoss), F(m.TestAccuracy), F(m.LearningRate), F(m.TrainSeconds), F(m.EvalSeconds)) + "\n");
        string jsonl = Path.Combine(dir, "metrics.jsonl");
        if (m.Epoch == 1 && File.Exists(jsonl)) File.Delete(jsonl);
        else if (File.Exists(jsonl)) DropEpochsFrom(jsonl, m.Epoch, line => line.StartsWith("{\"epoch\":", StringComparison.Ordinal) ? line[9..].Split(',')[0] : "");
        var line = new Dictionary<string, object>
        {
            ["epoch"] = m.Epoch, ["step"] = m.Step, ["train_loss"] = m.TrainLoss, ["test_loss"] = m.TestLoss, ["test_accuracy"] = m.TestAccuracy,
            ["lr"] = m.LearningRate, ["train_seconds"] = m.TrainSeconds, ["eval_seconds"] = m.EvalSeconds,
        };
        File.AppendAllText(jsonl, JsonSerializer.Serialize(line) + "\n");
    }
}
