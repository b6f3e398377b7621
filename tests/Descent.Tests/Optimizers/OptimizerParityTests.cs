using Descent.Parity;

namespace Descent.Tests.Optimizers;

public class OptimizerParityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", "optimizers");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(f);
            if (!name.StartsWith("lbfgs", StringComparison.Ordinal)) data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DoubleMatchesPytorch(string name)
    {
        var result = ParityRunner.Run(Path.Combine(Folder, name + ".json"));
        Assert.True(result.Passed, $"{name}: {result.Detail} (worst ratio {result.WorstRatio})");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatMatchesPytorch(string name)
    {
        var result = ParityRunner.Run(Path.Combine(Folder, name + ".json"), ParityPrecision.Float);
        Assert.True(result.Passed, $"{name}: {result.Detail} (worst ratio {result.WorstRatio})");
    }

    [Fact]
    public void AllNonLbfgsCasesAreCovered() => Assert.Equal(26, Cases().Count);
}
