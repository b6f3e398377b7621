using System.CommandLine;
using System.Text.Json;

namespace Descent.Cli.Tests;

[Collection("Console")]
public class MinimizeCommandTests
{
    // Standard output is not redirected (other test classes may redirect it concurrently): the command writes to a
    // writer of its own. Errors go through ExitCodes.Guard to standard error, which these tests capture.
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { MinimizeCommand.Create(output) };
        var previousErr = Console.Error;
        Console.SetError(error);
        try
        {
            var parse = root.Parse(args);
            Assert.Empty(parse.Errors);
            return (parse.Invoke(), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetError(previousErr);
        }
    }

    [Fact]
    public void RegisteredWithTheProgram()
    {
        Assert.Contains(CommandList.All(), c => c.Name == "minimize");
    }

    [Fact]
    public void JsonHasTheDocumentedFields()
    {
        var (code, output, _) = Run("minimize", "--problem", "rosenbrock", "--n", "10", "--history", "5", "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("rosenbrock", root.GetProperty("problem").GetString());
        Assert.Equal(10, root.GetProperty("n").GetInt32());
        Assert.True(root.GetProperty("iterations").GetInt64() > 10);
        Assert.True(root.GetProperty("evaluations").GetInt64() >= root.GetProperty("iterations").GetInt64());
        Assert.True(root.GetProperty("value").GetDouble() < 1e-6);
        Assert.True(root.GetProperty("max_abs_gradient").GetDouble() < 1e-3);
        Assert.True(root.GetProperty("seconds").GetDouble() >= 0);
        Assert.Contains(root.GetProperty("reason").GetString(), new[] { "ConvergedGradient", "ConvergedFunction" });
    }

    [Fact]
    public void TableOutputNamesTheReason()
    {
        var (code, output, _) = Run("minimize", "--problem", "beale");
        Assert.Equal(0, code);
        Assert.Contains("beale", output);
        Assert.Contains("Converged", output);
    }

    [Theory]
    [InlineData("--problem", "nosuch")]
    [InlineData("--problem", "powell", "--n", "6")]
    [InlineData("--problem", "rosenbrock", "--n", "1")]
    [InlineData("--problem", "rosenbrock", "--n", "-5")]
    [InlineData("--problem", "rosenbrock", "--history", "0")]
    [InlineData("--problem", "rosenbrock", "--line-search", "cubic")]
    [InlineData]
    public void BadInputExitsWithTwoAndOneLine(params string[] args)
    {
        var (code, _, error) = Run(["minimize", .. args]);
        Assert.Equal(2, code);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("descent: ", lines[0]);
    }
}
