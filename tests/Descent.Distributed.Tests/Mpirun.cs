using System.Diagnostics;
using System.Text.Json;

namespace Descent.Distributed.Tests;

/// <summary>Runs the descent command (this build's Descent.Cli.dll) under a real <c>mpirun -np N</c>, or alone, as a child process.</summary>
internal static class Mpirun
{
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll");

    /// <summary>The README's mpirun line: root needs --allow-run-as-root, 2 cores need --oversubscribe, --bind-to none keeps both cores.</summary>
    public static (int Code, string Out, string Err) Run(int ranks, params string[] args)
    {
        var arguments = new List<string> { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-x", "TERM=dumb", "-np", ranks.ToString(), "dotnet", Cli };
        arguments.AddRange(args);
        return Start("mpirun", arguments, null);
    }

    /// <summary>The CLI alone (no mpirun), with extra environment variables.</summary>
    public static (int Code, string Out, string Err) Alone(IReadOnlyDictionary<string, string>? environment, params string[] args)
        => Start("dotnet", [Cli, .. args], environment);

    private static (int Code, string Out, string Err) Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach (var name in new[] { "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "DESCENT_MPI_LIBRARY" }) info.Environment.Remove(name);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        info.Environment["TERM"] = "dumb";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot start {file} ({ex.Message}); install Open MPI: apt-get install openmpi-bin libopenmpi3 (.ci/setup.d/20-openmpi.sh).", ex);
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 120 s.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static JsonElement LastJson(string output) => JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement.Clone();
}
