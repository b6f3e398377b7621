using Descent.Numerics;

namespace Descent.Tests.Numerics;

/// <summary>
/// The offset-float 8-bit maps of int8 optimizer state (<see cref="QuantizationMap.OffsetFloatSigned"/>, e2m5, and
/// <see cref="QuantizationMap.OffsetFloatUnsigned"/>, e3m5): their values, the nearest-value encoder, error bounds per
/// block, zeros and non-finite blocks, and the constants compiled into the AVX-512 loop.
/// </summary>
public class OffsetFloatMapTests
{
    public static TheoryData<bool> Signs => new() { true, false };

    private static QuantizationMap MapOf(bool signed) => signed ? QuantizationMap.OffsetFloatSigned : QuantizationMap.OffsetFloatUnsigned;

    [Fact]
    public void ValuesFollowTheFormat()
    {
        // e2m5: q = (E, M) stands for 2^(E - 3) (1 + M / 32) - 2^-3, normalized by the largest magnitude.
        var signed = QuantizationMap.OffsetFloatSigned;
        Assert.Equal("e2m5", signed.Name);
        Assert.True(signed.IsSigned && signed.IsOffsetFloat);
        double top = Math.Pow(2, 0) * (1 + 31 / 32.0) - 0.125;
        for (int q = 0; q < 128; q++)
        {
            double expected = Math.Pow(2, (q >> 5) - 3) * (1 + (q & 31) / 32.0) - 0.125;
            Assert.Equal((float)(expected / top), signed.Values[q], 6);
            Assert.Equal(-signed.Values[q], signed.Values[q | 0x80]); // sign and magnitude
        }
        Assert.Equal(0f, signed.Values[0]);
        Assert.Equal(1f, signed.Values[127]);
        // e3m5 unsigned: Emax 7, offset 2^-7; strictly increasing from 0 to 1.
        var unsigned = QuantizationMap.OffsetFloatUnsigned;
        Assert.Equal("e3m5", unsigned.Name);
        Assert.False(unsigned.IsSigned);
        Assert.Equal(0f, unsigned.Values[0]);
        Assert.Equal(1f, unsigned.Values[255]);
        for (int q = 1; q < 256; q++) Assert.True(unsigned.Values[q] > unsigned.Values[q - 1], $"code {q}");
        for (int q = 1; q < 128; q++) Assert.True(signed.Values[q] > signed.Values[q - 1], $"code {q}");
    }

    [Fact]
    public void LoopConstantsMatchTheMaps()
    {
        var (shift, baseBits, offset, keep) = QuantizationMap.OffsetFloatSigned.FloatFormat;
        Assert.Equal(CompactStateLoop.FloatShift, shift);
        Assert.Equal((uint)CompactStateLoop.SignedBase, baseBits);
        Assert.Equal(CompactStateLoop.SignedOffset, offset);
        Assert.False(keep);
        (shift, baseBits, offset, keep) = QuantizationMap.OffsetFloatUnsigned.FloatFormat;
        Assert.Equal(CompactStateLoop.FloatShift, shift);
        Assert.Equal((uint)CompactStateLoop.UnsignedBase, baseBits);
        Assert.Equal(CompactStateLoop.UnsignedOffset, offset);
        Assert.True(keep);
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void EncodeGivesTheNearestValue(bool signed)
    {
        var map = MapOf(signed);
        var random = new Random(signed ? 1 : 2);
        const float absMax = 3.7e-3f;
        float encode = map.EncodeScale(absMax), decode = map.DecodeScale(absMax);
        var decoded = Enumerable.Range(0, 256).Select(c => map.Decode((byte)c, decode)).ToArray();
        for (int trial = 0; trial < 200_000; trial++)
        {
            // magnitudes log-uniform over 12 decades below the block maximum, and exact zeros and the maximum itself
            double magnitude = trial % 97 == 0 ? 0 : trial % 89 == 0 ? absMax : absMax * Math.Pow(10, -12 * random.NextDouble());
            float x = (float)(signed && random.Next(2) == 0 ? -magnitude : magnitude);
            byte code = map.Encode(x, encode);
            float y = map.Decode(code, decode);
            double error = Math.Abs((double)y - x);
            double best = decoded.Min(d => Math.Abs((double)d - x));
            bool keptNonZero = !signed && x != 0 && code == 1 && Math.Abs(x) < decoded[1] / 2;
            // nearest up to the float rounding of the scaled value (a relative 2^-22 of the step's scale)
            Assert.True(keptNonZero || error <= best + 1e-6 * absMax * 1e-3 + 4e-7 * Math.Abs(x), $"x={x:R}: code {code} -> {y:R}, best error {best:R}, this {error:R}");
            if (!signed && x != 0) Assert.NotEqual(0, code); // the unsigned map keeps non-zero values non-zero
            if (x == 0) Assert.Equal(0f, y);
            if (signed && x != 0 && y != 0) Assert.Equal(Math.Sign(x), Math.Sign(y));
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void ErrorPerBlockIsAtMostHalfAStep(bool signed)
    {
        // In binade E (exponent bits e, mantissa bits k, Emax = 2^e - 1) the step is 2^(E - Emax - k) of TOP; the lowest
        // binade (linear) has the step of binade 0. So |x - q(x)| <= 2^(E - Emax - k - 1) TOP / TOP * absmax, and for values
        // above the lowest binade the relative error is at most 2^-(k+1) (1/64 for 5 mantissa bits).
        var map = MapOf(signed);
        var random = new Random(3);
        var values = new float[BlockwiseQuantization.BlockSize * 3 + 5];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)((signed ? random.NextDouble() * 2 - 1 : random.NextDouble()) * Math.Pow(10, -6 * random.NextDouble()) * (1 + i / 2048));
        var codes = new byte[values.Length];
        var absMax = new float[BlockwiseQuantization.BlockCount(values.Length)];
        BlockwiseQuantization.Quantize(values, map, codes, absMax);
        var back = new float[values.Length];
        BlockwiseQuantization.Dequantize(codes, absMax, map, back);
        double offset = signed ? 0.125 : 0.0078125;
        for (int i = 0; i < values.Length; i++)
        {
            float max = absMax[i / BlockwiseQuantization.BlockSize];
            double normalized = Math.Abs(values[i]) / max; // in [0, 1]
            double top = signed ? 2 - 1 / 32.0 - 0.125 : 2 - 1 / 32.0 - 0.0078125;
            double a = normalized * top + offset;           // the float the encoder rounds, in [2^-Emax, 2)
            double step = Math.Pow(2, Math.Floor(Math.Log2(a)) - 5);
            double bound = step / 2 / top * max * (1 + 1e-5) + 1e-12 * max;
            double error = Math.Abs((double)back[i] - values[i]);
            bool kept = !signed && values[i] != 0 && codes[i] == 1;
            Assert.True(kept || error <= bound, $"i={i}: {values[i]:R} -> {back[i]:R}, error {error:R} > {bound:R}");
            if (a >= 16 * offset && !kept) Assert.True(error <= Math.Abs(values[i]) / 64 * 16 / 15 * (1 + 1e-5), $"i={i}: relative error above 1/60");
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void ZerosAndNonFiniteBlocks(bool signed)
    {
        var map = MapOf(signed);
        int n = 3 * BlockwiseQuantization.BlockSize;
        var values = new float[n];
        for (int i = BlockwiseQuantization.BlockSize; i < n; i++) values[i] = (i % 3 == 0) ? 0f : 0.5f + i % 7;
        values[2 * BlockwiseQuantization.BlockSize + 11] = float.NaN;
        var codes = new byte[n];
        var absMax = new float[3];
        BlockwiseQuantization.Quantize(values, map, codes, absMax);
        var back = new float[n];
        BlockwiseQuantization.Dequantize(codes, absMax, map, back);
        Assert.Equal(0f, absMax[0]);
        for (int i = 0; i < BlockwiseQuantization.BlockSize; i++) { Assert.Equal(0, codes[i]); Assert.Equal(0f, back[i]); }  // a block of zeros
        for (int i = BlockwiseQuantization.BlockSize; i < 2 * BlockwiseQuantization.BlockSize; i++)
            if (values[i] == 0) Assert.Equal(0f, back[i]);                                                                     // zeros stay exact
        Assert.True(float.IsNaN(absMax[2]));
        for (int i = 2 * BlockwiseQuantization.BlockSize; i < n; i++) Assert.True(float.IsNaN(back[i]));                       // a poisoned block
        // The same with an infinity, and the vector encoder of the loop agrees with the scalar one (CompactStateLoopTests).
        values[2 * BlockwiseQuantization.BlockSize + 11] = float.NegativeInfinity;
        BlockwiseQuantization.Quantize(values, map, codes, absMax);
        Assert.True(float.IsNaN(absMax[2]));
    }

    [Fact]
    public void SignedMapKeepsTheSignOfTinyValuesAndUnsignedEncodesMagnitudes()
    {
        var signed = QuantizationMap.OffsetFloatSigned;
        float scale = signed.EncodeScale(1f);
        Assert.Equal(0x00, signed.Encode(1e-9f, scale));
        Assert.Equal(0x80, signed.Encode(-1e-9f, scale));                   // -0
        Assert.Equal(0x7F, signed.Encode(1f, scale));
        Assert.Equal(0xFF, signed.Encode(-1f, scale));
        var unsigned = QuantizationMap.OffsetFloatUnsigned;
        scale = unsigned.EncodeScale(1f);
        Assert.Equal(1, unsigned.Encode(1e-30f, scale));                     // kept non-zero
        Assert.Equal(0, unsigned.Encode(0f, scale));
        Assert.Equal(unsigned.Encode(0.3f, scale), unsigned.Encode(-0.3f, scale));
        Assert.Equal(255, unsigned.Encode(1f, scale));
    }
}
