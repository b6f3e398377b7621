using Descent.Losses;

namespace Descent.Tests.Losses;

public class AllocationTests
{
    [Fact]
    public void HotLossesAllocateNothingPerCallAfterTheFirst()
    {
        var logits = new float[64 * 10];
        var gradient = new float[64 * 10];
        var labels = new int[64];
        for (int i = 0; i < logits.Length; i++) logits[i] = (i % 7) - 3;
        for (int r = 0; r < 64; r++) labels[r] = r % 10;
        var x = new float[640];
        var y = new float[640];
        for (int i = 0; i < 640; i++) { x[i] = (i % 9 + 1) / 10f; y[i] = i % 2; }
        var ce = new SoftmaxCrossEntropy<float> { MaxDegreeOfParallelism = 2 };
        var mse = new MeanSquaredError<float>();
        var bce = new BinaryCrossEntropy<float>();
        var bceLogits = new BinaryCrossEntropyWithLogits<float>();
        AssertNoAllocation("softmax CE", () => ce.Evaluate(logits, labels, 10, gradient));
        AssertNoAllocation("MSE", () => mse.Evaluate(x, y, gradient));
        AssertNoAllocation("BCE", () => bce.Evaluate(x, y, gradient));
        AssertNoAllocation("BCE with logits", () => bceLogits.Evaluate(x, y, gradient));
    }

    [Fact]
    public void SoftmaxCEOnTheWorkerPoolAllocatesNothingPerCall()
    {
        // 512 x 1000 logits: above SoftmaxKernels.ParallelThreshold, so rows run in parallel chunks when threads > 1.
        var logits = new float[512 * 1000];
        var gradient = new float[logits.Length];
        var labels = new int[512];
        for (int i = 0; i < logits.Length; i++) logits[i] = (i % 13) - 6;
        for (int r = 0; r < labels.Length; r++) labels[r] = r % 1000;
        var ce = new SoftmaxCrossEntropy<float> { MaxDegreeOfParallelism = 2 };
        AssertNoAllocation("softmax CE 512x1000", () => ce.Evaluate(logits, labels, 1000, gradient));
    }

    private static void AssertNoAllocation(string what, Func<float> run)
    {
        for (int i = 0; i < 200; i++) run();
        long allocated = SteadyStateAllocation.Measure(() => run(), calls: 10);
        Assert.True(allocated == 0, $"{what} allocated {allocated} bytes");
    }
}
