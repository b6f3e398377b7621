using Descent.Serialization;

namespace Descent.Distributed.Tests;

/// <summary>The CLI trains data-parallel under real mpirun jobs; 1 rank is the plain process (no mpirun).</summary>
public class DataParallelTrainingTests
{
    private static readonly string Data = FindData();

    private static string FindData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "data", "mnist-10k"))) return Path.Combine(dir.FullName, "data", "mnist-10k");
        throw new DirectoryNotFoundException("data/mnist-10k not found above the test folder.");
    }

    // 300 samples in global batches of 128: steps of 128, 128 and 44 samples; 128 does not divide by 3.
    private static string[] Small(string optimizer, string dir, params string[] extra) =>
        ["train", "--problem", "mnist-mlp", "--hidden", "8", "--train-limit", "300", "--batch", "128", "--epochs", "2", "--seed", "3",
         "--optimizer", optimizer, "--data", Data, "--out", dir, "--json", .. extra];

    private static string Temp() => Path.Combine(Path.GetTempPath(), "descent-distributed", Guid.NewGuid().ToString("N"));

    private static System.Text.Json.JsonElement Train(int ranks, params string[] args)
    {
        var (code, output, error) = ranks == 1 ? Mpirun.Alone(null, args) : Mpirun.Run(ranks, args);
        Assert.True(code == 0, $"{ranks} ranks: exit {code}\n{output}\n{error}");
        var json = Mpirun.LastJson(output);
        Assert.Equal(ranks, json.GetProperty("ranks").GetInt32());
        return json;
    }

    [Theory]
    [InlineData("adamw(lr=3e-3, weight_decay=0.01)")]
    [InlineData("sgd(lr=0.05, momentum=0.9, nesterov=true)")]
    [InlineData("lion(lr=1e-3, weight_decay=0.1)")]
    public void DeterministicReductionOn2And3RanksIsBitIdenticalToOneProcessWithAndWithoutZero(string optimizer)
    {
        var reference = Train(1, Small(optimizer, Temp(), "--reduction", "deterministic"));
        string hash = reference.GetProperty("params_sha256").GetString()!;
        long wholeState = reference.GetProperty("optimizer_state_bytes_per_rank").GetInt64();
        Assert.True(wholeState > 0);
        foreach (int ranks in new[] { 2, 3 })
        {
            foreach (string zero in new[] { "0", "1" })
            {
                var run = Train(ranks, Small(optimizer, Temp(), "--reduction", "deterministic", "--zero", zero));
                Assert.Equal(hash, run.GetProperty("params_sha256").GetString());
                Assert.Equal(6, run.GetProperty("steps").GetInt64());
                long perRank = run.GetProperty("optimizer_state_bytes_per_rank").GetInt64();
                if (zero == "0") Assert.Equal(wholeState, perRank);
                else Assert.InRange(perRank, wholeState / ranks, wholeState / ranks + 4 * ranks); // 1/N: shards differ by at most one element per buffer
            }
        }
    }

    [Theory]
    [InlineData("adamw(lr=3e-3, weight_decay=0.01)")]
    [InlineData("sgd(lr=0.5, momentum=0.9)")]
    public void GlobalNormClippingUnderZeroIsBitIdenticalToOneProcessWhoseOptimizerClips(string optimizer)
    {
        // One process: the optimizer clips the whole reduced gradient itself (Optimizer.MaxGradientNorm). ZeRO-1 on 2 and 3 ranks:
        // the clip moves to DataParallel.ClipByGlobalNorm, which forms the whole gradient's norm; with deterministic reduction the
        // parameters are the same bits. The max norm 0.05 is below the gradients' norms here, so clipping acts (the hash differs
        // from the unclipped run).
        System.Text.Json.JsonElement Check(int ranks, params string[] extra)
        {
            string[] args = ["mpi", "clip-check", "--optimizer", optimizer, "--data", Data, .. extra];
            var (code, output, error) = ranks == 1 ? Mpirun.Alone(null, args) : Mpirun.Run(ranks, args);
            Assert.True(code == 0, $"{ranks} ranks: exit {code}\n{output}\n{error}");
            return Mpirun.LastJson(output);
        }
        var reference = Check(1, "--max-norm", "0.05");
        string hash = reference.GetProperty("params_sha256").GetString()!;
        Assert.Equal("Infinity", reference.GetProperty("clip_by_global_norm").GetString()); // without ZeRO the optimizer clips
        Assert.NotEqual(hash, Check(1).GetProperty("params_sha256").GetString());
        foreach (int ranks in new[] { 2, 3 })
        {
            var zero = Check(ranks, "--max-norm", "0.05", "--zero", "1");
            Assert.Equal("0.05", zero.GetProperty("clip_by_global_norm").GetString());
            Assert.Equal(6, zero.GetProperty("steps").GetInt64());
            Assert.Equal(hash, zero.GetProperty("params_sha256").GetString());
        }
    }

    [Fact]
    public void SamplerTailPadsOrDropsTheEpochToAMultipleOfTheRanks()
    {
        // 130 samples in global batches of 43 on 3 ranks: none deals 43, 43, 43, 1 (4 steps); drop cuts the epoch to 129 (3 steps);
        // pad extends it to 132 = 43, 43, 43, 3 (4 steps). One process ignores the tail (the same epoch for any value).
        string[] Args(string tail) => ["train", "--problem", "mnist-mlp", "--hidden", "8", "--train-limit", "130", "--batch", "43", "--epochs", "1",
            "--seed", "3", "--optimizer", "sgd(lr=0.05)", "--data", Data, "--out", Temp(), "--json", "--sampler-tail", tail];
        var drop = Train(3, Args("drop"));
        Assert.Equal(3, drop.GetProperty("steps").GetInt64());
        var pad = Train(3, Args("pad"));
        Assert.Equal(4, pad.GetProperty("steps").GetInt64());
        Assert.Equal(4, Train(1, Args("drop")).GetProperty("steps").GetInt64());
        var (code, _, error) = Mpirun.Alone(null, Args("even"));
        Assert.Equal(2, code);
        Assert.Contains("unknown --sampler-tail 'even' (none, pad, drop)", error);
    }

    [Fact]
    public void PerTensorOptimizersShardByWholeTensorsAndStayBitIdentical()
    {
        const string lamb = "lamb(lr=1e-2, weight_decay=0.01)";
        string hash = Train(1, Small(lamb, Temp(), "--reduction", "deterministic")).GetProperty("params_sha256").GetString()!;
        Assert.Equal(hash, Train(3, Small(lamb, Temp(), "--reduction", "deterministic", "--zero", "1")).GetProperty("params_sha256").GetString());
    }

    /// <summary>
    /// MPI's allreduce sums the ranks' float gradients in another order than one process does, so parameters differ by rounding:
    /// each gradient element carries a relative error of a few float epsilons (6e-8) of the summed magnitudes, and Adam's update
    /// lr·m/(sqrt(v)+eps) passes a relative error through at most amplified by |g|/(|g|+eps) ≤ 1; over 6 steps of at most lr = 3e-3
    /// each that bounds the drift by about 6 × 3e-3 × 1e-5 = 2e-7 plus the float rounding of the parameters themselves
    /// (|θ| ≲ 1: 6e-8 per step). The assertion allows 2e-6, ten times that, and requires the runs to differ from a perturbed run
    /// by far more (a different seed moves the parameters by O(0.1)).
    /// </summary>
    [Fact]
    public void DefaultMpiReductionMatchesOneProcessWithinRounding()
    {
        const string adamw = "adamw(lr=3e-3, weight_decay=0.01)";
        string one = Temp();
        Train(1, Small(adamw, one));
        var reference = CheckpointFile.Load(Path.Combine(one, "checkpoint.ckpt"));
        foreach (int ranks in new[] { 2, 3 })
        {
            string dir = Temp();
            var json = Train(ranks, Small(adamw, dir));
            Assert.Equal("mpi", json.GetProperty("reduction").GetString());
            var run = CheckpointFile.Load(Path.Combine(dir, "checkpoint.ckpt"));
            double worst = 0;
            foreach (string name in reference.GetString("model/names").Split('\n'))
            {
                var a = reference.GetArray<float>($"model/{name}");
                var b = run.GetArray<float>($"model/{name}");
                for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
            }
            Assert.True(worst <= 2e-6, $"{ranks} ranks: largest parameter difference {worst:G3}");
        }
    }

    [Fact]
    public void ResumeOnADifferentNumberOfRanksContinuesTheSameRunBitForBit()
    {
        const string adamw = "adamw(lr=3e-3, weight_decay=0.01)";
        string straight = Train(1, Small(adamw, Temp(), "--reduction", "deterministic")).GetProperty("params_sha256").GetString()!;
        string dir = Temp();
        var stopped = Train(2, Small(adamw, dir, "--reduction", "deterministic", "--zero", "1", "--stop-after", "1"));
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        string copy = Temp();
        Directory.CreateDirectory(copy);
        foreach (string f in Directory.GetFiles(dir)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        var onThree = Train(3, "train", "--resume", dir, "--reduction", "deterministic", "--zero", "1", "--data", Data, "--json");
        Assert.Equal(straight, onThree.GetProperty("params_sha256").GetString());
        Assert.Equal(2, onThree.GetProperty("epochs").GetInt32());
        var onOne = Train(1, "train", "--resume", copy, "--reduction", "deterministic", "--data", Data, "--json");
        Assert.Equal(straight, onOne.GetProperty("params_sha256").GetString());
        Assert.Equal(2, File.ReadAllLines(Path.Combine(copy, "metrics.csv")).Length - 1);
    }
}
