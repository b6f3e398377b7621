using System.Runtime.Intrinsics;
using Descent.Numerics;

namespace Descent.Tests.Numerics;

public class VectorExpTests
{
    private static long UlpDistance(float a, float b)
    {
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs((long)ia - ib);
    }

    [Fact]
    public void WithinTwoUlpOfTheCorrectlyRoundedExpOverTheNormalRange()
    {
        // Every 97th float between the smallest input with a normal result and ln(FLT_MAX): about 2.2 million points,
        // covering every binade of the input and every reduction interval.
        long worst = 0;
        float worstAt = 0;
        var lanes = new float[16];
        int count = 0;
        void Check(float[] xs, int k)
        {
            var e = VectorExp.Exp(Vector512.Create(xs));
            for (int j = 0; j < k; j++)
            {
                float expected = (float)Math.Exp(xs[j]);
                long d = UlpDistance(e[j], expected);
                if (d > worst) { worst = d; worstAt = xs[j]; }
            }
        }
        foreach (var (sign, limit) in new[] { (-1f, 87.33f), (1f, 88.72f) })
        {
            // Magnitudes from the smallest subnormal up to the limit, in steps of 97 representable floats.
            for (long bits = 1; bits <= BitConverter.SingleToInt32Bits(limit); bits += 97)
            {
                lanes[count++] = sign * BitConverter.Int32BitsToSingle((int)bits);
                if (count == 16) { Check(lanes, 16); count = 0; }
            }
        }
        if (count > 0) Check(lanes, count);
        Assert.True(worst <= 2, $"worst error {worst} ulp at x = {worstAt:R}");
    }

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(-105f, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(89f, float.PositiveInfinity)]
    public void SpecialValues(float x, float expected)
    {
        Assert.Equal(expected, VectorExp.Exp(Vector512.Create(x))[5]);
        Assert.Equal(expected, VectorExp.Exp(Vector256.Create(x))[3]);
        Assert.Equal(expected, VectorExp.Exp(x));
    }

    [Fact]
    public void NaNStaysNaNAndDoesNotDisturbOtherLanes()
    {
        var x = Vector512.Create(1f).WithElement(3, float.NaN);
        var e = VectorExp.Exp(x);
        Assert.True(float.IsNaN(e[3]));
        Assert.Equal((float)Math.E, e[0], 6);
        Assert.True(float.IsNaN(VectorExp.Exp(float.NaN)));
    }

    [Fact]
    public void RegisterWidthsAndTheScalarFormGiveTheSameBits()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            float x = (float)(random.NextDouble() * 200 - 100);
            float s = VectorExp.Exp(x);
            Assert.Equal(BitConverter.SingleToInt32Bits(s), BitConverter.SingleToInt32Bits(VectorExp.Exp(Vector512.Create(x))[i % 16]));
            Assert.Equal(BitConverter.SingleToInt32Bits(s), BitConverter.SingleToInt32Bits(VectorExp.Exp(Vector256.Create(x))[i % 8]));
        }
    }
}
