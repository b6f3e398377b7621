using System.Globalization;
using Descent.Lab.Experiments;
using Descent.TensorBoard;

namespace Descent.Lab.Reports;

/// <summary>
/// Writes the lab's report to TensorBoard: each experiment's figures as images and its top-level numbers as scalars, under
/// the tag prefix <c>NN-id/</c> (e.g. <c>06-schedule-race/</c>), at step = the experiment's number; plus <c>lab/supported</c>
/// (1 supported, 0 not, -1 failed) and <c>lab/seconds</c> at the same step.
/// </summary>
public static class TensorBoardReport
{
    /// <summary>Logs one finished experiment (call it from <see cref="ReportBuilder.Run"/>'s <c>completed</c> callback) and flushes.</summary>
    /// <param name="writer">The run's writer.</param>
    /// <param name="outcome">The experiment's outcome.</param>
    /// <param name="outputDirectory">The lab's output directory (figure paths are relative to it).</param>
    public static void Write(TensorBoardWriter writer, ExperimentOutcome outcome, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        int step = outcome.Experiment.Number;
        string prefix = string.Create(CultureInfo.InvariantCulture, $"{step:D2}-{outcome.Experiment.Id}/");
        var scalars = new List<KeyValuePair<string, double>>
        {
            new("lab/supported", outcome.Result is null ? -1 : outcome.Result.Supported ? 1 : 0),
            new("lab/seconds", outcome.Seconds),
        };
        if (outcome.Result is { } result)
        {
            foreach (var (key, value) in result.Numbers)
            {
                double? number = value switch
                {
                    double d => d, float f => f, int i => i, long l => l, bool b => b ? 1 : 0, _ => null,
                };
                if (number is { } x) scalars.Add(new(prefix + key, x));
            }
            foreach (var figure in result.Figures)
            {
                string path = Path.Combine(outputDirectory, figure.PngFile);
                if (!File.Exists(path)) continue;
                writer.AddImage(prefix + Path.GetFileNameWithoutExtension(figure.PngFile), File.ReadAllBytes(path), step);
            }
        }
        writer.AddScalars(step, scalars);
        writer.Flush();
    }
}
