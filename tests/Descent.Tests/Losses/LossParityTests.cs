using Descent.Parity;

namespace Descent.Tests.Losses;

public class LossParityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", "losses");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void EveryGoldenFileIsFound() => Assert.True(Cases().Count >= 60);

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenCasePassesInDouble(string file)
    {
        var result = ParityRunner.Run(Path.Combine(Folder, file));
        Assert.True(result.Passed, $"{result.Name}: {result.Detail} (worst ratio {result.WorstRatio})");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenCasePassesInFloat(string file)
    {
        var result = ParityRunner.Run(Path.Combine(Folder, file), ParityPrecision.Float);
        Assert.True(result.Passed, $"{result.Name}: {result.Detail} (worst ratio {result.WorstRatio})");
    }
}
