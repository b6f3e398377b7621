namespace Descent.Distributed.Tests;

public class CommunicatorTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryCollectiveGivesTheExpectedValuesUnderMpirunAlsoWhenSplitIntoSmallCalls(int ranks)
    {
        var (code, output, error) = Mpirun.Run(ranks, "mpi", "check", "--split", "7", "--json");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        var json = Mpirun.LastJson(output);
        Assert.Equal(ranks, json.GetProperty("ranks").GetInt32());
        Assert.Equal(0, json.GetProperty("failed").GetInt32());
        var names = json.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        Assert.Contains(names, n => n.StartsWith("ReduceScatter double", StringComparison.Ordinal) && n.EndsWith("(split into calls of ≤ 7 elements)", StringComparison.Ordinal));
        var error0 = json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString()!.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("MPI_ERR_ROOT", error0.GetProperty("detail").GetString());
        Assert.Equal(43, json.GetProperty("passed").GetInt32());
    }

    [Fact]
    public void ARankThatThrowsEndsTheWholeJobNonZeroNamingTheRank()
    {
        var (code, output, error) = Mpirun.Run(3, "mpi", "check", "--fail-rank", "1");
        Assert.NotEqual(0, code);
        Assert.Contains("descent: rank 1 of 3 failed: failure requested by --fail-rank 1", error);
        Assert.DoesNotContain("passed", output);
    }

    [Fact]
    public void StartedByMpirunWithoutOpenMpiGivesOneClearLineAndExit2()
    {
        var environment = new Dictionary<string, string> { ["OMPI_COMM_WORLD_SIZE"] = "2", ["DESCENT_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" };
        var (code, output, error) = Mpirun.Alone(environment, "mpi", "check");
        Assert.Equal(2, code);
        string line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("descent: started by mpirun (OMPI_COMM_WORLD_SIZE=2) but Open MPI is not available", line);
        Assert.Contains("apt-get install openmpi-bin libopenmpi3", line);
        Assert.Equal("", output);
    }

    [Fact]
    public void WithoutMpirunTheCheckRunsOnOneRank()
    {
        var (code, output, error) = Mpirun.Alone(null, "mpi", "check", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(1, Mpirun.LastJson(output).GetProperty("ranks").GetInt32());
    }

    [Fact]
    public void SingleRankCommunicatorIsTheIdentityAndChecksItsArguments()
    {
        var c = SingleRankCommunicator.Instance;
        var data = new float[] { 1, 2, 3 };
        c.Allreduce<float>(data);
        c.Allgather<float>(data);
        c.Allgather<float>(data, [3]);
        c.Bcast<float>(data);
        Assert.Equal([1f, 2f, 3f], data);
        var receive = new float[3];
        c.ReduceScatterBlock<float>(data, receive);
        Assert.Equal(data, receive);
        Assert.Throws<ArgumentException>(() => c.ReduceScatterBlock<float>(data, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Bcast<float>(data, 1));
        Assert.Throws<NotSupportedException>(() => c.Allreduce<decimal>(new decimal[1]));
        Assert.All(CollectiveCheck.Run(c), r => Assert.True(r.Passed, r.Name));
    }
}
