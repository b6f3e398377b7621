using System.CommandLine;
using System.Text.Json;
using Descent.Distributed;

namespace Descent.Cli;

/// <summary><c>descent mpi check</c>: runs every collective across the ranks of an <c>mpirun</c> job and checks the results.</summary>
internal static class MpiCommand
{
    public static Command Create()
    {
        var command = new Command("mpi", "Open MPI: check that the collectives work across the ranks of an mpirun job.");
        var check = new Command("check", "Run Allreduce, ReduceScatter, Allgather, Bcast and Barrier across the ranks (start with mpirun -np N) and check every result.");
        var split = new Option<long?>("--split") { Description = "Also run every collective with at most this many elements per MPI call (checks the splitting of large counts)." };
        var failRank = new Option<int?>("--fail-rank") { Description = "Make this rank throw after the checks (checks that one failing rank ends the whole job, naming it)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line." };
        check.Options.Add(split);
        check.Options.Add(failRank);
        check.Options.Add(json);
        check.SetAction(parse => ExitCodes.Guard(() =>
        {
            var communicator = Distribution.Detect();
            return Distribution.Run(communicator, () =>
            {
                if (parse.GetValue(split) is < 1) throw new ArgumentException("--split must be >= 1");
                var results = CollectiveCheck.Run(communicator, parse.GetValue(split));
                if (parse.GetValue(failRank) is { } f && f == communicator.Rank)
                    throw new ApplicationException($"failure requested by --fail-rank {f}");
                communicator.Barrier();
                bool passed = results.All(r => r.Passed);
                if (communicator.Rank == 0)
                {
                    string library = communicator is MpiCommunicator m ? m.LibraryVersion.Split('\n')[0] : "none (one process)";
                    if (parse.GetValue(json))
                    {
                        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                        {
                            ["ranks"] = communicator.Size,
                            ["library"] = library,
                            ["passed"] = results.Count(r => r.Passed),
                            ["failed"] = results.Count(r => !r.Passed),
                            ["checks"] = results.Select(r => new Dictionary<string, object> { ["name"] = r.Name, ["passed"] = r.Passed, ["detail"] = r.Detail }).ToArray(),
                        }));
                    }
                    else
                    {
                        Console.Out.WriteLine($"{communicator.Size} ranks, MPI library: {library}");
                        foreach (var r in results) Console.Out.WriteLine($"{(r.Passed ? "ok  " : "FAIL")} {r.Name}{(r.Detail.Length > 0 ? $": {r.Detail}" : "")}");
                        Console.Out.WriteLine($"{results.Count(r => r.Passed)} passed, {results.Count(r => !r.Passed)} failed");
                    }
                }
                return passed ? ExitCodes.Success : ExitCodes.Failure;
            });
        }));
        command.Subcommands.Add(check);
        return command;
    }
}
