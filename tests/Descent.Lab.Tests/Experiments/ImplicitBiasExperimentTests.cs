using Descent.Lab.Data;
using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class ImplicitBiasExperimentTests
{
    [Fact]
    public void MaxMarginDirectionSeparatesWithThePlantedMargin()
    {
        var data = SyntheticData.LinearlySeparable2D(80, 3, margin: 0.1);
        var (x, y, margin) = ImplicitBiasExperiment.MaxMarginDirection(data);
        Assert.Equal(1, x * x + y * y, 1e-9);
        Assert.True(margin >= 0.1 - 1e-6, $"margin {margin}");
        for (int i = 0; i < data.Count; i++)
        {
            double s = data.Labels![i] == 1 ? 1 : -1;
            Assert.True(s * (x * data.Features[2 * i] + y * data.Features[2 * i + 1]) >= margin - 1e-9);
        }
    }

    [Fact]
    public void QuickRunAlignsWithSvmDirectionAndWritesPlot()
    {
        string dir = TestPaths.TempDirectory();
        var result = new ImplicitBiasExperiment().Run(new ExperimentContext(dir, "", true, 1, _ => { }));
        Assert.True(result.Supported, result.Summary);
        Assert.True(File.Exists(Path.Combine(dir, "implicit-bias-cosine-gap.png")));
        Assert.True(File.Exists(Path.Combine(dir, "implicit-bias-cosine-gap.csv")));
    }
}
