using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class RegularizationExperimentTests
{
    [Fact]
    public void L1LeavesMoreSmallWeightsThanL2OverSeeds()
    {
        string dir = TestPaths.TempDirectory();
        var result = new RegularizationExperiment().Run(new ExperimentContext(dir, "", Quick: true, Seed: 0, _ => { }));
        Assert.True(File.Exists(Path.Combine(dir, "l1-l2-elastic.png")));
        var l1 = (Dictionary<string, object>)result.Numbers["L1 (0.1)"];
        var l2 = (Dictionary<string, object>)result.Numbers["L2 (0.1)"];
        Assert.Equal(5, ((double[])l1["sparsity"]).Length);
        Assert.True((double)l1["mean_sparsity"] > (double)l2["mean_sparsity"], $"L1 {l1["mean_sparsity"]}, L2 {l2["mean_sparsity"]}");
        Assert.NotNull(result.PValue);
    }
}
