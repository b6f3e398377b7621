using System.CommandLine;

using Descent.Cli.Commands;

namespace Descent.Cli;

/// <summary>The list of subcommands; each lives in its own file under Commands/ and adds one line here.</summary>
internal static class CommandList
{
    public static IEnumerable<Command> All()
    {
        yield return ParityCommand.Create();
        yield return MinimizeCommand.Create();
        yield return ScheduleCommand.Create();
        yield return TrainCommand.Create();
        yield return LrFindCommand.Create();
        yield return Commands.BenchCommand.Create();
        yield return LabCommand.Create();
        yield return MpiCommand.Create();
        yield return ServeCommand.Create();
        yield return OptimizersCommand.Create();
    }
}
