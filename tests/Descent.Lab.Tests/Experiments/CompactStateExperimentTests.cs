using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class CompactStateExperimentTests
{
    [Fact]
    public void QuickRunTrainsEveryPrecisionAndMeasuresTheQuantizationError()
    {
        var e = Assert.Single(ExperimentCatalog.All, e => e.Number == 19);
        string dir = Directory.CreateTempSubdirectory("exp19").FullName;
        var result = e.Run(new ExperimentContext(dir, TestPaths.MnistDirectory, Quick: true, Seed: 0, _ => { }));
        Assert.Equal(Verdict.Inconclusive, result.ReportedOutcome(quick: true));
        Assert.Equal(3, result.Tables[0].Rows.Count);
        // On v the dynamic map is far more accurate than the linear one (the reason it is used; on m the linear map measured lower L2 error).
        var errors = (Dictionary<string, object>)result.Numbers["quantization_error"];
        Assert.True(((double[])errors["v int8 dynamic"]).Average() < ((double[])errors["v int8 linear"]).Average());
        Assert.True(File.Exists(Path.Combine(dir, "compact-optimizer-state-loss.png")));
        Assert.True(File.Exists(Path.Combine(dir, "compact-optimizer-state-quantization-error.png")));
    }
}
