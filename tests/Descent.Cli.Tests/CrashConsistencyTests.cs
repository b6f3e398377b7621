using System.Diagnostics;
using System.Text.Json;
using Descent.Serialization;

namespace Descent.Cli.Tests;

/// <summary>
/// Crash consistency under a real kill: <c>descent train</c> runs as a child process (the built Descent.Cli.dll, not
/// <c>dotnet run</c>) and is killed with SIGKILL at random moments, half of them while a checkpoint is being written (the hidden
/// option <c>--checkpoint-write-delay-ms</c> pauses each write half-way to widen that window), then resumed with <c>--resume</c>,
/// until the run completes. After every kill the checkpoint, if there is one, must load; the final parameters must hash to the
/// same params_sha256 as an uninterrupted run.
/// </summary>
/// <remarks>
/// The suite runs 20 kills (about 30-60 s on 2 cores). The longer version is the same test with more kills:
/// <c>DESCENT_CRASH_KILLS=300 dotnet test tests/Descent.Cli.Tests -c Release --filter CrashConsistency</c>
/// (each completed run starts a new round in a fresh folder, so any number of kills is possible).
/// </remarks>
[Collection("Console")]
public class CrashConsistencyTests
{
    private const int DelayMs = 60;
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll");
    private static readonly string[] Run = ["train", "--problem", "synthetic-mlp", "--hidden", "8", "--batch", "50", "--epochs", "12",
        "--optimizer", "adamw(lr=1e-2, weight_decay=0.01)", "--schedule", "onecycle(max=1e-2)", "--seed", "7", "--json"];

    [Fact]
    public void KilledAndResumedRunsEndWithTheUninterruptedParameters()
    {
        int targetKills = int.TryParse(Environment.GetEnvironmentVariable("DESCENT_CRASH_KILLS"), out int k) && k > 0 ? k : 20;
        string root = Path.Combine(Path.GetTempPath(), "descent-crash", Guid.NewGuid().ToString("N"));
        var straight = Child([.. Run, "--out", Path.Combine(root, "straight")]);
        Assert.True(straight.Code == 0, straight.Err);
        string want = Sha(straight.Out);

        var random = new Random(20261130);
        int kills = 0, midWrite = 0, checkpointsChecked = 0, rounds = 0;
        var deadline = Stopwatch.StartNew();
        while (kills < targetKills)
        {
            rounds++;
            string dir = Path.Combine(root, $"round{rounds}");
            string checkpoint = Path.Combine(dir, "checkpoint.ckpt");
            while (true)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(30), $"harness too slow: {kills} kills in {deadline.Elapsed}");
                bool resume = File.Exists(checkpoint);
                if (!resume && Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // killed before the first checkpoint
                string[] args = resume
                    ? ["train", "--resume", dir, "--json", "--checkpoint-write-delay-ms", $"{DelayMs}"]
                    : [.. Run, "--out", dir, "--checkpoint-write-delay-ms", $"{DelayMs}"];
                using var process = Start(args);
                if (kills < targetKills)
                {
                    bool aimAtWrite = kills % 2 == 1;
                    if (aimAtWrite)
                    {
                        // Wait for the n-th checkpoint write of this process to begin (a new temporary file), then kill inside it.
                        int nth = random.Next(1, 4);
                        var seen = new HashSet<string>();
                        while (!process.HasExited && seen.Count < nth)
                        {
                            if (Directory.Exists(dir)) foreach (string f in Directory.GetFiles(dir, "*.tmp")) seen.Add(f);
                            Thread.Sleep(1);
                        }
                        Thread.Sleep(random.Next(0, DelayMs));
                    }
                    else
                    {
                        process.WaitForExit(random.Next(0, 1500));
                    }
                    if (!process.HasExited)
                    {
                        bool writing = Directory.Exists(dir) && Directory.GetFiles(dir, "*.tmp").Length > 0;
                        process.Kill(); // SIGKILL on Linux: no handler, no finally block runs
                        process.WaitForExit();
                        kills++;
                        if (writing) midWrite++;
                        if (File.Exists(checkpoint))
                        {
                            var loaded = CheckpointFile.Load(checkpoint); // throws if unreadable
                            Assert.Equal("descent-train-v1", loaded.GetString("train/format"));
                            checkpointsChecked++;
                        }
                        continue;
                    }
                }
                Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "child did not finish");
                string output = process.StandardOutput.ReadToEnd();
                string error = process.StandardError.ReadToEnd();
                Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {error}");
                Assert.Equal(want, Sha(output));
                // Each epoch's metrics line appears once, in order, even when a kill fell between the line and the checkpoint.
                var epochs = File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(Enumerable.Range(1, 12), epochs);
                Assert.Equal(12, File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Length);
                break;
            }
        }
        Assert.True(kills >= targetKills);
        Assert.True(midWrite >= targetKills / 4, $"only {midWrite} of {kills} kills landed during a checkpoint write");
        Assert.True(checkpointsChecked >= targetKills / 4, $"only {checkpointsChecked} checkpoints were checked after a kill");
        Directory.Delete(root, recursive: true);
    }

    /// <summary>
    /// A full disk and a read-only output folder, made real with a 1 MiB tmpfs mounted for the test (as root, chmod does not stop
    /// writes, so it is no test). Full: the free space is filled to less than one checkpoint, so the metrics line still fits and
    /// the checkpoint write itself fails. Read-only: the tmpfs is remounted read-only. Both give exit 2, one line on stderr, nothing
    /// on stdout, and the previous checkpoint byte for byte. Where mounting is not permitted (not root, no CAP_SYS_ADMIN), the test
    /// falls back to an output path under a regular file, which shows the exit code and the single line but not the intact checkpoint.
    /// </summary>
    [Fact]
    public void AFullDiskOrAReadOnlyFolderGivesOneLineExitTwoAndKeepsThePreviousCheckpoint()
    {
        string root = Path.Combine(Path.GetTempPath(), "descent-full", Guid.NewGuid().ToString("N"));
        string mount = Path.Combine(root, "mnt");
        Directory.CreateDirectory(mount);
        if (Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount) != 0)
        {
            File.WriteAllText(Path.Combine(root, "file"), "a file where a folder is expected");
            var r = Child([.. Run, "--epochs", "1", "--out", Path.Combine(root, "file", "run")]);
            Assert.Equal(2, r.Code);
            Assert.Equal("", r.Out);
            Assert.Single(r.Err.TrimEnd().Split('\n'));
            return;
        }
        try
        {
            string dir = Path.Combine(mount, "run");
            string checkpoint = Path.Combine(dir, "checkpoint.ckpt");
            var first = Child([.. Run, "--stop-after", "1", "--out", dir]);
            Assert.True(first.Code == 0, first.Err);
            byte[] saved = File.ReadAllBytes(checkpoint);

            // Full: fill the tmpfs, then free one page (4 KiB, less than the ~10 KiB checkpoint).
            string filler = Path.Combine(mount, "filler");
            using (var stream = new FileStream(filler, FileMode.CreateNew))
            {
                var block = new byte[4096];
                try
                {
                    while (true) stream.Write(block);
                }
                catch (IOException)
                {
                }
            }
            using (var stream = new FileStream(filler, FileMode.Open)) stream.SetLength(Math.Max(0, stream.Length - 4096));
            var full = Child(["train", "--resume", dir, "--json"]);
            Assert.Equal(2, full.Code);
            Assert.Equal("", full.Out);
            string line = Assert.Single(full.Err.TrimEnd().Split('\n'));
            Assert.Contains("No space left on device", line);
            Assert.Contains("the previous checkpoint", line);
            Assert.Equal(saved, File.ReadAllBytes(checkpoint));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

            // Read-only.
            File.Delete(filler);
            Assert.Equal(0, Command("mount", "-o", "remount,ro", mount));
            var readOnly = Child(["train", "--resume", dir, "--json"]);
            Assert.Equal(2, readOnly.Code);
            Assert.Equal("", readOnly.Out);
            line = Assert.Single(readOnly.Err.TrimEnd().Split('\n'));
            Assert.Contains("Read-only file system", line);
            Assert.Equal(saved, File.ReadAllBytes(checkpoint));
        }
        finally
        {
            Command("umount", mount);
            Directory.Delete(root, recursive: true);
        }
    }

    private static int Command(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static string Sha(string jsonOutput)
    {
        string last = jsonOutput.TrimEnd().Split('\n')[^1];
        using var document = JsonDocument.Parse(last);
        Assert.Equal("completed", document.RootElement.GetProperty("status").GetString());
        return document.RootElement.GetProperty("params_sha256").GetString()!;
    }

    private static Process Start(string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(info)!;
    }

    private static (int Code, string Out, string Err) Child(string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
