namespace Descent.Cli.Tests;

/// <summary>Runs a piece of the command line with standard output and error captured (tests using it share the "Console" collection).</summary>
internal static class ConsoleCapture
{
    /// <summary>Runs <paramref name="action"/> with the console redirected; returns its exit code and what it printed.</summary>
    public static (int Code, string Out, string Err) Run(Func<int> action)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (action(), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousErr);
        }
    }

    /// <summary><c>descent ARGS</c> in process.</summary>
    public static (int Code, string Out, string Err) Main(params string[] args) => Run(() => Program.Main(args));
}
