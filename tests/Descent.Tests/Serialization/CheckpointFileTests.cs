using CsCheck;
using Descent.Serialization;

namespace Descent.Tests.Serialization;

public class CheckpointFileTests
{
    private static Checkpoint Sample()
    {
        var c = new Checkpoint();
        c.Set("optimizer/step", 12345L);
        c.Set("schedule/best", double.NegativeInfinity);
        c.Set("schedule/nan", double.NaN);
        c.Set("meta/optimizer", "adamw(lr=0.003)");
        c.Set("optimizer/W1/exp_avg", new float[] { 1.5f, -0f, float.Epsilon, float.MaxValue });
        c.Set("optimizer/W1/exp_avg_sq", new double[] { 1e-300, 2, 3 });
        c.Set("loop/order", new int[] { 3, 1, 2, 0 });
        c.Set("rng/state", new long[] { long.MinValue, 7 });
        c.Set("empty", ReadOnlySpan<float>.Empty);
        return c;
    }

    private static byte[] Bytes(Checkpoint c)
    {
        var stream = new MemoryStream();
        CheckpointFile.Write(stream, c);
        return stream.ToArray();
    }

    [Fact]
    public void RoundTripsEveryEntryBitForBit()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("ckpt").FullName, "a.ckpt");
        CheckpointFile.Save(path, Sample());
        var loaded = CheckpointFile.Load(path);
        Assert.Equal(Sample().Keys, loaded.Keys);
        Assert.Equal(12345L, loaded.GetInt64("optimizer/step"));
        Assert.Equal(double.NegativeInfinity, loaded.GetDouble("schedule/best"));
        Assert.True(double.IsNaN(loaded.GetDouble("schedule/nan")));
        Assert.Equal("adamw(lr=0.003)", loaded.GetString("meta/optimizer"));
        Assert.Equal(new float[] { 1.5f, -0f, float.Epsilon, float.MaxValue }, loaded.GetArray<float>("optimizer/W1/exp_avg").ToArray());
        Assert.True(BitConverter.SingleToInt32Bits(loaded.GetArray<float>("optimizer/W1/exp_avg")[1]) == BitConverter.SingleToInt32Bits(-0f));
        Assert.Equal(new long[] { long.MinValue, 7 }, loaded.GetArray<long>("rng/state").ToArray());
        Assert.Equal(0, loaded.GetArray<float>("empty").Length);
        Assert.Equal(Bytes(Sample()), File.ReadAllBytes(path));
    }

    [Fact]
    public void EveryTruncationFailsWithACheckpointException()
    {
        byte[] bytes = Bytes(Sample());
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<CheckpointException>(() => CheckpointFile.Read(new MemoryStream(bytes, 0, length)));
        }
    }

    [Fact]
    public void EverySingleBitFlipIsDetected()
    {
        byte[] bytes = Bytes(Sample());
        for (int i = 0; i < bytes.Length; i++)
        {
            for (int bit = 0; bit < 8; bit += 3)
            {
                byte[] copy = (byte[])bytes.Clone();
                copy[i] ^= (byte)(1 << bit);
                Assert.Throws<CheckpointException>(() => CheckpointFile.Read(new MemoryStream(copy)));
            }
        }
    }

    [Fact]
    public void ForeignAndNewerFilesAreRejectedWithClearMessages()
    {
        var foreign = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(new MemoryStream("{\"json\": true, \"padding\": 1234567890}"u8.ToArray())));
        Assert.Contains("not a Descent checkpoint", foreign.Message);
        byte[] newer = Bytes(Sample());
        newer[8] = 99;
        var ex = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(new MemoryStream(newer)));
        Assert.Contains("version 99", ex.Message);
    }

    [Fact]
    public void Version1FixtureKeepsLoading()
    {
        // A file written by format version 1; later versions must keep reading it.
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints", "v1-sample.ckpt");
        var loaded = CheckpointFile.Load(path);
        Assert.Equal(12345L, loaded.GetInt64("optimizer/step"));
        Assert.Equal(new int[] { 3, 1, 2, 0 }, loaded.GetArray<int>("loop/order").ToArray());
    }

    [Fact]
    public void ACrashedWriteLeavesThePreviousCheckpointIntact()
    {
        string dir = Directory.CreateTempSubdirectory("ckpt").FullName;
        string path = Path.Combine(dir, "run.ckpt");
        CheckpointFile.Save(path, Sample());
        // A writer that dies mid-way leaves only a temporary file behind; the destination is untouched.
        var failing = new Checkpoint();
        failing.Set("x", 1L);
        using (var partial = new FileStream(Path.Combine(dir, ".run.ckpt.1.dead.tmp"), FileMode.CreateNew))
        {
            byte[] half = Bytes(failing);
            partial.Write(half, 0, half.Length / 2);
        }
        Assert.Equal(12345L, CheckpointFile.Load(path).GetInt64("optimizer/step"));
        // A save that fails (unsupported value) does not replace the old file either.
        Assert.Throws<NotSupportedException>(() => failing.SetArray<short>("bad", new short[3]));
        CheckpointFile.Save(path, failing);
        Assert.Equal(1L, CheckpointFile.Load(path).GetInt64("x"));
        Assert.Single(Directory.GetFiles(dir, "*.ckpt"));
    }

    [Fact]
    public void RequireArrayNamesTheKeyAndTheShapeProblem()
    {
        var c = Sample();
        var ex = Assert.Throws<CheckpointException>(() => c.RequireArray<float>("optimizer/W1/exp_avg", 5));
        Assert.Contains("optimizer/W1/exp_avg", ex.Message);
        Assert.Contains("4 elements, expected 5", ex.Message);
        Assert.Throws<CheckpointException>(() => c.RequireArray<double>("optimizer/W1/exp_avg", 4));
        Assert.Throws<CheckpointException>(() => c.GetInt64("missing"));
    }

    [Fact]
    public void RandomMutationsNeverThrowAnythingButCheckpointException()
    {
        byte[] bytes = Bytes(Sample());
        Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte, Gen.Int[0, bytes.Length])
            .Sample((position, value, cut) =>
            {
                byte[] copy = (byte[])bytes.Clone();
                copy[position] = value;
                try
                {
                    CheckpointFile.Read(new MemoryStream(copy, 0, cut));
                    return cut == bytes.Length && value == bytes[position];
                }
                catch (CheckpointException)
                {
                    return true;
                }
            }, iter: 3000);
    }
}
