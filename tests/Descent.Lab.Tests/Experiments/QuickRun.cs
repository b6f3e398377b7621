using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

/// <summary>The smoke check of an experiment in quick mode: it logs, writes its tables, figures and CSV, and sums itself up.</summary>
internal static class QuickRun
{
    /// <summary>Runs catalog experiment <paramref name="number"/>, which must be a <typeparamref name="TExperiment"/>.</summary>
    public static void RunsAndWritesItsFigure<TExperiment>(int number) where TExperiment : IExperiment
    {
        var experiment = Assert.IsType<TExperiment>(ExperimentCatalog.All.Single(e => e.Number == number));
        string dir = TestPaths.TempDirectory();
        var log = new List<string>();
        var result = experiment.Run(new ExperimentContext(dir, TestPaths.MnistDirectory, Quick: true, Seed: 0, log.Add));
        Assert.NotEmpty(log);
        Assert.NotEmpty(result.Tables);
        Assert.All(result.Figures, f => Assert.True(File.Exists(Path.Combine(dir, f.PngFile)), f.PngFile));
        Assert.True(File.Exists(Path.Combine(dir, experiment.Id + ".csv")));
        Assert.False(string.IsNullOrWhiteSpace(result.Summary));
    }
}
