using System.CommandLine;

namespace Descent.Cli;

/// <summary>The list of subcommands; each lives in its own file under Commands/ and adds one line here.</summary>
internal static class CommandList
{
    public static IEnumerable<Command> All()
    {
        yield return Commands.ParityCommand.Create();
        yield return MinimizeCommand.Create();
        yield return ScheduleCommand.Create();
        yield return TrainCommand.Create();
        yield return LrFindCommand.Create();
        yield return Commands.BenchCommand.Create();
        yield return LabCommand.Create();
        yield return MpiCommand.Create();
    }
}
