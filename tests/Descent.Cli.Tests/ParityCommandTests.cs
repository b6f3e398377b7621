namespace Descent.Cli.Tests;

public class ParityCommandTests
{
    [Fact]
    public void UnknownKindFailsAndTheSummaryLineCountsIt()
    {
        string dir = Directory.CreateTempSubdirectory("parity").FullName;
        File.WriteAllText(Path.Combine(dir, "odd.json"), "{\"kind\":\"mystery\"}");
        File.WriteAllText(Path.Combine(dir, "broken.json"), "{not json");
        var output = new StringWriter();
        int code = Commands.ParityCommand.Run([dir], Descent.Parity.ParityPrecision.Double, output);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.EndsWith($"0 passed, 2 failed{Environment.NewLine}", output.ToString());
    }

    [Fact]
    public void MissingPathIsAUsageError()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(ExitCodes.Usage, Program.Main(["parity", "/no/such/file.json"]));
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Contains("No such file", error.ToString());
    }

    [Fact]
    public void FloatIsRefusedForLbfgsWithAReasonAndDoesNotCountAsAFailure()
    {
        string dir = Directory.CreateTempSubdirectory("parity").FullName;
        File.WriteAllText(Path.Combine(dir, "lbfgs.json"),
            "{\"kind\":\"optimizer\",\"optimizer\":\"LBFGS\",\"objective\":\"rosenbrock\",\"params\":[[-1.2,1]],\"expected\":[[[0,0]]]}");
        File.WriteAllText(Path.Combine(dir, "sgd.json"),
            "{\"kind\":\"optimizer\",\"optimizer\":\"SGD\",\"options\":{\"lr\":0.5},\"shapes\":[[1]],\"params\":[[1]],\"grads\":[[[2]]],\"expected\":[[[0]]]}");
        var output = new StringWriter();
        int code = Commands.ParityCommand.Run([dir], Descent.Parity.ParityPrecision.Float, output);
        string text = output.ToString();
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("SKIP  optimizer lbfgs", text);
        Assert.Contains("float refused for LBFGS", text);
        Assert.EndsWith($"1 passed, 0 failed, 1 skipped{Environment.NewLine}", text);

        // Only LBFGS cases at float: nothing was replayed, which is a usage error rather than a pass.
        Assert.Throws<ArgumentException>(() => Commands.ParityCommand.Run([Path.Combine(dir, "lbfgs.json")],
            Descent.Parity.ParityPrecision.Float, new StringWriter()));
    }
}
