using Descent.Optimizers;

namespace Descent.Distributed.Tests;

public class StateBytesTests
{
    [Theory]
    [InlineData(StatePrecision.Float32, 2L * 4 * 10_000 + 2L * 4 * 10)]
    [InlineData(StatePrecision.BFloat16, 2L * 2 * 10_000 + 2L * 4 * 10)]
    [InlineData(StatePrecision.Int8, 2L * (10_000 + 4 * 5) + 2L * 4 * 10)] // codes and one absmax per 2,048; the small tensor keeps float
    public void StateBytesCountCompactBuffersAsStored(StatePrecision precision, long expected)
    {
        var optimizer = Optim.AdamW<float>();
        optimizer.StatePrecision = precision;
        optimizer.AddGroup(new Parameter<float>("large", new float[10_000], new float[10_000]), new Parameter<float>("small", new float[10], new float[10]));
        optimizer.Step();
        Assert.Equal(expected, DataParallel.StateBytes(optimizer));
        Assert.Equal(optimizer.StateByteCount, DataParallel.StateBytes(optimizer));
    }
}
