using Descent.Lab.Reports;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Descent.Schedules;

namespace Descent.Cli;

/// <summary><c>descent schedule "SPEC" --steps N [--lr BASE] [--format spark|csv|json|png] [--out FILE]</c>: previews a schedule.</summary>
internal static class ScheduleCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "Schedule text, e.g. \"warmup(500) >> cosine(10000, min=1e-5)\" or \"onecycle(max=3e-3)\"" };
        var steps = new Option<long>("--steps") { Description = "Number of optimizer steps to print (also the run's total for schedules that leave it open)", DefaultValueFactory = _ => 100 };
        var lr = new Option<double>("--lr") { Description = "Base learning rate that factor schedules multiply (absolute schedules ignore it)", DefaultValueFactory = _ => 1.0 };
        var format = new Option<string>("--format") { Description = "spark (terminal sparkline, default), csv (step,lr[,momentum]), json, or png (a plot; needs --out)", DefaultValueFactory = _ => "spark" };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output" };
        var command = new Command("schedule", "Print or plot the learning rate of a schedule, step by step");
        command.Arguments.Add(spec);
        command.Options.Add(steps);
        command.Options.Add(lr);
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            string text = parse.GetValue(spec) ?? "";
            long n = parse.GetValue(steps);
            double baseLr = parse.GetValue(lr);
            string fmt = (parse.GetValue(format) ?? "spark").ToLowerInvariant();
            string? path = parse.GetValue(output);
            if (n <= 0 || n > 10_000_000) throw new ArgumentException($"--steps must be in [1, 10000000], got {n}");
            if (!double.IsFinite(baseLr) || baseLr <= 0) throw new ArgumentException($"--lr must be finite and > 0, got {baseLr}");
            if (fmt is not ("spark" or "csv" or "json" or "png")) throw new ArgumentException($"--format must be spark, csv, json or png, got '{fmt}'");
            if (fmt == "png" && path is null) throw new ArgumentException("--format png needs --out FILE.png");
            var schedule = ScheduleText.Parse(text, n);
            var rates = new double[n];
            double[]? momentum = schedule.DrivesMomentum ? new double[n] : null;
            for (long t = 0; t < n; t++)
            {
                rates[t] = Schedule.LearningRate(schedule, baseLr, t);
                if (momentum is not null) momentum[t] = schedule.MomentumAt(t) ?? double.NaN;
            }
            if (fmt == "png")
            {
                WritePng(schedule, rates, momentum, path!);
                return ExitCodes.Success;
            }
            string body = fmt switch
            {
                "csv" => Csv(rates, momentum),
                "json" => Json(schedule, baseLr, rates, momentum),
                _ => Spark(schedule, rates, momentum),
            };
            if (path is null) Console.Out.Write(body);
            else File.WriteAllText(path, body);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WritePng(Schedule schedule, double[] rates, double[]? momentum, string path)
    {
        var series = new List<Series> { Series.FromValues("learning rate", rates) };
        var plot = Plots.Line(schedule.ToString(), "step", "learning rate", series);
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
        Plots.Save(plot, stem);
        if (momentum is not null)
        {
            Plots.Save(Plots.Line(schedule + " (momentum)", "step", "momentum", [Series.FromValues("momentum", momentum)]), stem + "-momentum");
        }
    }

    internal static string Csv(double[] rates, double[]? momentum)
    {
        var sb = new StringBuilder(momentum is null ? "step,lr\n" : "step,lr,momentum\n");
        for (int t = 0; t < rates.Length; t++)
        {
            sb.Append(t.ToString(CultureInfo.InvariantCulture)).Append(',').Append(rates[t].ToString("R", CultureInfo.InvariantCulture));
            if (momentum is not null) sb.Append(',').Append(momentum[t].ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Json(Schedule schedule, double baseLr, double[] rates, double[]? momentum)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("schedule", schedule.ToString());
            w.WriteBoolean("absolute", schedule.IsAbsolute);
            w.WriteNumber("base_lr", baseLr);
            w.WriteNumber("steps", rates.Length);
            w.WriteStartArray("lr");
            foreach (double r in rates) w.WriteNumberValue(r);
            w.WriteEndArray();
            if (momentum is not null)
            {
                w.WriteStartArray("momentum");
                foreach (double m in momentum) w.WriteNumberValue(m);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    internal static string Sparkline(double[] values, int width = 64)
    {
        const string bars = "▁▂▃▄▅▆▇█";
        int buckets = Math.Min(width, values.Length);
        double lo = values.Min(), hi = values.Max();
        var sb = new StringBuilder(buckets);
        for (int b = 0; b < buckets; b++)
        {
            int start = (int)((long)b * values.Length / buckets), end = (int)((long)(b + 1) * values.Length / buckets);
            double mean = 0;
            for (int i = start; i < end; i++) mean += values[i];
            mean /= Math.Max(1, end - start);
            int level = hi > lo ? (int)Math.Round((mean - lo) / (hi - lo) * (bars.Length - 1)) : bars.Length - 1;
            sb.Append(bars[Math.Clamp(level, 0, bars.Length - 1)]);
        }
        return sb.ToString();
    }

    private static string Spark(Schedule schedule, double[] rates, double[]? momentum)
    {
        static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append(schedule.ToString()).Append(schedule.IsAbsolute ? "  (absolute learning rate)" : "  (factor of --lr)").Append('\n');
        sb.Append("lr       ").Append(Sparkline(rates)).Append($"  first {G(rates[0])}, min {G(rates.Min())}, max {G(rates.Max())}, last {G(rates[^1])}\n");
        if (momentum is not null)
            sb.Append("momentum ").Append(Sparkline(momentum)).Append($"  first {G(momentum[0])}, min {G(momentum.Min())}, max {G(momentum.Max())}, last {G(momentum[^1])}\n");
        sb.Append($"{rates.Length} steps\n");
        return sb.ToString();
    }
}
