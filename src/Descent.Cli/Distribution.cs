using Descent.Distributed;

namespace Descent.Cli;

/// <summary>
/// How a command finds its ranks: started by <c>mpirun</c> (Open MPI sets <c>OMPI_COMM_WORLD_SIZE</c>) it joins
/// <see cref="MpiCommunicator.World"/>; otherwise it is one process (<see cref="SingleRankCommunicator"/>), exactly as without MPI.
/// </summary>
internal static class Distribution
{
    /// <summary>The communicator of this process.</summary>
    /// <exception cref="NotSupportedException">Started by mpirun but Open MPI's library cannot be loaded (one clear line, exit 2).</exception>
    public static ICommunicator Detect()
    {
        if (!MpiCommunicator.IsLaunchedByMpirun) return SingleRankCommunicator.Instance;
        try
        {
            return MpiCommunicator.World;
        }
        catch (DllNotFoundException ex)
        {
            throw new NotSupportedException($"started by mpirun (OMPI_COMM_WORLD_SIZE={Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE")}) but {ex.Message}");
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on this rank. On more than one rank, an exception on any rank prints
    /// <c>descent: rank r of N failed: …</c> and ends the whole job (<c>MPI_Abort</c>) with exit 2 for a user error and 1 otherwise,
    /// so no rank waits forever in a collective; on one rank the exception propagates as before.
    /// </summary>
    public static int Run(ICommunicator communicator, Func<int> body)
    {
        if (communicator.Size == 1) return body();
        try
        {
            int code = body();
            Console.Out.Flush();
            return code;
        }
        catch (Exception ex)
        {
            bool usage = ex is ArgumentException or FormatException or IOException or InvalidDataException or UnauthorizedAccessException
                or NotSupportedException or InvalidOperationException;
            Console.Error.WriteLine($"descent: rank {communicator.Rank} of {communicator.Size} failed: {ex.Message.Split('\n')[0].TrimEnd()}");
            if (!usage) Console.Error.WriteLine(ex.ToString());
            communicator.Abort(usage ? ExitCodes.Usage : ExitCodes.Failure);
            return ExitCodes.Failure;
        }
    }
}
