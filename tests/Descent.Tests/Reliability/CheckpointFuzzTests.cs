using CsCheck;
using Descent.Serialization;

namespace Descent.Tests.Reliability;

/// <summary>Mutated checkpoint bytes (byte overwrites with edge values, truncation, insertion) fail only with <see cref="CheckpointException"/>.</summary>
public class CheckpointFuzzTests
{
    private static byte[] Valid()
    {
        var c = new Checkpoint();
        c.Set("optimizer/step", 12345L);
        c.Set("meta/optimizer", "adamw(lr=0.003)");
        c.Set("optimizer/W1/exp_avg", new float[] { 1.5f, -0f, 3f });
        c.Set("loop/order", new int[] { 3, 1, 2, 0 });
        var stream = new MemoryStream();
        CheckpointFile.Write(stream, c);
        return stream.ToArray();
    }

    [Fact]
    public void MutatedCheckpointsFailOnlyWithCheckpointException()
    {
        byte[] valid = Valid();
        byte[] edge = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];
        int samples = 0;
        Gen.Select(Gen.Int[0, valid.Length - 1].Array[1, 4], Gen.Int[0, edge.Length - 1].Array[4], Gen.Int[0, 2]).Sample((pos, vals, mode) =>
        {
            samples++;
            var bytes = (byte[])valid.Clone();
            for (int i = 0; i < pos.Length; i++) bytes[pos[i]] = edge[vals[i]];
            if (mode == 1) bytes = bytes[..pos[0]];
            if (mode == 2) bytes = [.. bytes[..pos[0]], .. edge, .. bytes[pos[0]..]];
            try { CheckpointFile.Read(new MemoryStream(bytes)); }
            catch (CheckpointException) { }
        }, iter: 3000, threads: 1);
        Assert.Equal(3000, samples);
    }
}
