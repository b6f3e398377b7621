using System.CommandLine;

namespace Descent.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // A plain command named "descent" as the root, so that help and usage lines show the command's name, not the
        // assembly's (RootCommand takes its name from the executable, Descent.Cli); help and --version are added as RootCommand would.
        var root = new Command("descent", "descent: losses, optimizers and learning-rate schedules, measured.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        foreach (Command command in CommandList.All())
        {
            root.Subcommands.Add(command);
        }
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"descent: {ExitCodes.Plain(error.Message)}");
            }
            return ExitCodes.Usage;
        }
        return parse.Invoke();
    }
}
