using System.CommandLine;
using Descent.Web;

namespace Descent.Cli;

/// <summary><c>descent serve [--port 5117] [--host 127.0.0.1] [--runs DIR]</c>: the optimizer and schedule playground in the browser.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Start the playground web page: optimizers racing on 2-D landscapes, schedules from their text, live MNIST training.");
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => 5117 };
        var host = new Option<string>("--host") { Description = "Address to listen on. Loopback by default; any other address lets others on the network use the page.", DefaultValueFactory = _ => "127.0.0.1" };
        var runs = new Option<string>("--runs") { Description = "Runs folder: trainings are written here and the Training page lists it.", DefaultValueFactory = _ => "runs" };
        var data = new Option<string?>("--data") { Description = "MNIST folder (default: data/mnist-10k above the current directory)." };
        var maxTrainings = new Option<int>("--max-trainings") { Description = "Trainings that may run at the same time.", DefaultValueFactory = _ => 1 };
        foreach (Option o in new Option[] { port, host, runs, data, maxTrainings }) command.Options.Add(o);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var options = new PlaygroundOptions
            {
                Port = parse.GetValue(port),
                Host = parse.GetValue(host) ?? "127.0.0.1",
                RunsDirectory = parse.GetValue(runs) ?? "runs",
                DataDirectory = parse.GetValue(data),
                MaxTrainings = parse.GetValue(maxTrainings),
            };
            if (!PlaygroundServer.IsLoopback(options.Host))
                Console.Error.WriteLine($"descent: warning: listening on {options.Host}, not loopback: anyone who can reach this address can run computations and trainings and read the runs folder {Path.GetFullPath(options.RunsDirectory)}");
            var server = PlaygroundServer.Create(options);
            try
            {
                server.StartAsync().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                throw new IOException($"cannot listen on {options.Host}:{options.Port}: {e.Message}", e);
            }
            Console.Out.WriteLine($"descent serve: listening on {server.Address} (runs folder {server.Runs.Root}); press Ctrl+C to stop");
            Console.Out.Flush();
            server.WaitForShutdownAsync().GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }
}
