using Descent.Numerics;
using System.Runtime.Intrinsics;

namespace Descent.Tests.Numerics;

/// <summary>bfloat16 rounding, the counter-based stream, the 8-bit maps and block-wise quantization.</summary>
public class CompactStateTests
{
    private static IEnumerable<float> Specials()
    {
        yield return 0f; yield return -0f; yield return 1f; yield return -1f;
        yield return float.Epsilon; yield return -float.Epsilon; yield return float.MaxValue; yield return float.MinValue;
        yield return float.PositiveInfinity; yield return float.NegativeInfinity; yield return float.NaN;
        yield return BitConverter.UInt32BitsToSingle(0x7F80_0001u); // signalling NaN
        yield return BitConverter.UInt32BitsToSingle(0xFFC1_2345u);
        yield return 1f + MathF.Pow(2, -8);          // tie, rounds to even (down)
        yield return 1f + 3 * MathF.Pow(2, -8);      // tie, rounds to even (up)
        yield return BitConverter.UInt32BitsToSingle(0x3F80_8001u);
        yield return BitConverter.UInt32BitsToSingle(0x7F7F_FFFFu);
        yield return BitConverter.UInt32BitsToSingle(0x0000_8000u);
    }

    private static float[] RandomFloats(int n, int seed)
    {
        var random = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
        return x;
    }

    [Fact]
    public void BFloat16RoundsToNearestEvenAndKeepsNaN()
    {
        foreach (float x in Specials().Concat(RandomFloats(20000, 1)))
        {
            ushort b = BFloat16.FromSingle(x);
            float y = BFloat16.ToSingle(b);
            if (float.IsNaN(x)) { Assert.True(float.IsNaN(y)); Assert.Equal(BitConverter.SingleToUInt32Bits(x) >> 31, (uint)b >> 15); continue; }
            if (float.IsInfinity(x)) { Assert.Equal(x, y); continue; }
            uint bits = BitConverter.SingleToUInt32Bits(x);
            float down = BitConverter.UInt32BitsToSingle(bits & 0xFFFF_0000u);
            float up = BitConverter.UInt32BitsToSingle((bits & 0xFFFF_0000u) + 0x1_0000u);
            double dd = Math.Abs((double)x - down), du = Math.Abs((double)x - up);
            if (float.IsInfinity(up)) du = Math.Abs((double)x - Math.CopySign(Math.Pow(2, 128), x));
            float expected = dd < du ? down : du < dd ? up : ((bits >> 16) & 1) == 0 ? down : up;
            Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(y));
        }
        Assert.Equal(0x3F80, BFloat16.FromSingle(1f + MathF.Pow(2, -8)));
        Assert.Equal(0x3F82, BFloat16.FromSingle(1f + 3 * MathF.Pow(2, -8)));
    }

    [Fact]
    public void BFloat16VectorFormsEqualScalar()
    {
        var x = Specials().Concat(RandomFloats(4096, 2)).ToArray();
        Array.Resize(ref x, x.Length / 8 * 8);
        for (int i = 0; i < x.Length; i += 8)
        {
            var v = Vector256.Create(x.AsSpan(i, 8));
            var r = BFloat16.Round(v);
            var counter = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((uint)i);
            var s = BFloat16.RoundStochastic(v, CounterRandom.At(Vector256.Create(77u), counter));
            for (int k = 0; k < 8; k++)
            {
                Assert.Equal(BFloat16.FromSingle(x[i + k]), (ushort)r.GetElement(k));
                Assert.Equal(BFloat16.FromSingleStochastic(x[i + k], CounterRandom.At(77u, (uint)(i + k))), (ushort)s.GetElement(k));
                Assert.Equal(BFloat16.ToSingle((ushort)r.GetElement(k)), BFloat16.Widen(r).GetElement(k), (a, b) => BitConverter.SingleToUInt32Bits(a) == BitConverter.SingleToUInt32Bits(b) || (float.IsNaN(a) && float.IsNaN(b)));
            }
        }
    }

    [Fact]
    public void StochasticRoundingIsUnbiasedReproducibleAndSliceIndependent()
    {
        const int n = 200_000;
        var x = new float[n];
        Array.Fill(x, 1f + MathF.Pow(2, -9)); // a quarter of the way from 1 to the next bfloat16
        var whole = new ushort[n];
        BFloat16.FromSingleStochastic(x, whole, key: 12345, offset: 0);
        double mean = whole.Average(b => (double)BFloat16.ToSingle(b));
        double spacing = Math.Pow(2, -7);
        Assert.InRange((mean - 1) / spacing, 0.25 - 0.01, 0.25 + 0.01);
        Assert.All(whole, b => Assert.True(b == 0x3F80 || b == 0x3F81));
        var parts = new ushort[n];
        BFloat16.FromSingleStochastic(x.AsSpan(0, 777), parts.AsSpan(0, 777), 12345, 0);
        BFloat16.FromSingleStochastic(x.AsSpan(777), parts.AsSpan(777), 12345, 777);
        Assert.Equal(whole, parts);
        var other = new ushort[n];
        BFloat16.FromSingleStochastic(x, other, key: 54321, offset: 0);
        Assert.NotEqual(whole, other);
        // Exact values, infinities and NaN are unchanged by the random bits.
        foreach (uint r in new[] { 0u, 0xFFFFu, 0x8000u, 0xFFFF_FFFFu })
        {
            Assert.Equal(0x3F80, BFloat16.FromSingleStochastic(1f, r));
            Assert.Equal(0x7F80, BFloat16.FromSingleStochastic(float.PositiveInfinity, r));
            Assert.Equal(0xFF80, BFloat16.FromSingleStochastic(float.NegativeInfinity, r));
            Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingleStochastic(float.NaN, r))));
        }
    }

    [Fact]
    public void DynamicMapsMatchTheirDefinition()
    {
        var s = QuantizationMap.DynamicSigned.Values.ToArray();
        var u = QuantizationMap.DynamicUnsigned.Values.ToArray();
        Assert.Equal(256, s.Length);
        Assert.Equal(256, u.Length);
        for (int i = 1; i < 256; i++) { Assert.True(s[i] > s[i - 1]); Assert.True(u[i] > u[i - 1]); }
        Assert.Equal(127, s.Count(v => v < 0));
        Assert.Equal(0f, s[QuantizationMap.DynamicSigned.ZeroCode]);
        Assert.Equal(127, QuantizationMap.DynamicSigned.ZeroCode);
        Assert.Equal(1f, s[255]);
        for (int q = 1; q <= 127; q++) Assert.Equal(-s[127 + q], s[127 - q]);
        Assert.Equal(0f, u[0]);
        Assert.Equal(1f, u[255]);
        // Seven decades: the smallest non-zero magnitudes are about 1e-6 of the block maximum.
        Assert.InRange(s[128], 5e-7f, 6e-7f);   // signed decade 0: one midpoint, 0.55e-6
        Assert.InRange(u[1], 3e-7f, 3.5e-7f);   // unsigned decade 0: two midpoints, 0.325e-6 and 0.775e-6
        // The top decade: 64 (signed) and 128 (unsigned) midpoints of [0.1, 1].
        Assert.Equal(64, s.Count(v => v > 0.1f && v < 1f));
        Assert.Equal(128, u.Count(v => v > 0.1f && v < 1f));
    }

    public static TheoryData<string> Maps() => new("dynamic-signed", "dynamic-unsigned", "linear-signed", "linear-unsigned");

    private static QuantizationMap MapOf(string name) => name switch
    {
        "dynamic-signed" => QuantizationMap.DynamicSigned,
        "dynamic-unsigned" => QuantizationMap.DynamicUnsigned,
        "linear-signed" => QuantizationMap.LinearSigned,
        _ => QuantizationMap.LinearUnsigned,
    };

    [Theory]
    [MemberData(nameof(Maps))]
    public void EncodersAgreeAndPickTheNearestValue(string name)
    {
        var map = MapOf(name);
        var values = map.Values.ToArray();
        var probes = new List<float>();
        var random = new Random(3);
        for (int i = 0; i < 20000; i++) probes.Add((float)(map.IsSigned ? random.NextDouble() * 2 - 1 : random.NextDouble()));
        for (int i = 0; i < 5000; i++) probes.Add((float)(Math.Pow(10, -8 * random.NextDouble()) * (map.IsSigned && random.Next(2) == 0 ? -1 : 1)));
        for (int i = 0; i + 1 < 256; i++)
        {
            float mid = (values[i] + values[i + 1]) / 2;
            probes.Add(mid); probes.Add(MathF.BitIncrement(mid)); probes.Add(MathF.BitDecrement(mid)); probes.Add(values[i]);
        }
        probes.AddRange([0f, -0f, 1f, 1.0000001f, 1.5f, -1f, -1.0000001f, float.Epsilon, 1e-30f]);
        foreach (float x in probes)
        {
            if (!map.IsSigned && x < 0) continue;
            byte reference = map.Encode(x);
            Assert.Equal(reference, map.EncodeFast(x));
            // Nearest value on x's side of zero (within the threshold packing: 2^-15 relative).
            float nearest = float.MaxValue;
            foreach (float v in values) if ((x < 0 || (x == 0 && float.IsNegative(x)) ? v <= 0 : v >= 0)) nearest = Math.Min(nearest, Math.Abs(Math.Clamp(x, -1, 1) - v));
            float got = Math.Abs(Math.Clamp(x, -1, 1) - values[reference]);
            Assert.True(got <= nearest + Math.Abs(x) * 6.2e-5f + 1e-12f, $"{name}: x={x} code {reference} ({values[reference]}) off by {got}, nearest {nearest}");
        }
        // Every value of the map is its own code's value.
        for (int c = 0; c < 256; c++) Assert.Equal(values[c], values[map.Encode(values[c])]);
        var array = probes.Where(x => map.IsSigned || x >= 0).ToArray();
        Array.Resize(ref array, array.Length / 8 * 8);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            for (int i = 0; i < array.Length; i += 8)
            {
                var codes = map.EncodeVector(Vector256.Create(array.AsSpan(i, 8)));
                var decoded = map.DecodeVector(codes);
                for (int k = 0; k < 8; k++)
                {
                    Assert.Equal(map.EncodeFast(array[i + k]), codes.GetElement(k));
                    Assert.Equal(values[codes.GetElement(k)], decoded.GetElement(k));
                }
            }
        }
    }

    private static int[] Lengths() => [.. Enumerable.Range(0, 258), 2047, 2048, 2049, 4096, 6150];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BlockwiseQuantizationEqualsReferenceAndBoundsTheError(bool signed)
    {
        var map = signed ? QuantizationMap.DynamicSigned : QuantizationMap.DynamicUnsigned;
        var random = new Random(4);
        foreach (int n in Lengths())
        {
            int offset = 1 + n % 3;
            var backing = new float[n + offset + 1];
            for (int i = 0; i < backing.Length; i++)
            {
                double magnitude = Math.Exp(-12 * random.NextDouble()) * (1 + (i / 2048));
                backing[i] = (float)(signed && random.Next(2) == 0 ? -magnitude : magnitude);
            }
            var x = backing.AsSpan(offset, n);
            var codes = new byte[n + 3];
            var absMax = new float[BlockwiseQuantization.BlockCount(n)];
            var codes2 = new byte[n];
            var absMax2 = new float[absMax.Length];
            BlockwiseQuantization.Quantize(x, map, codes.AsSpan(1, n), absMax);
            BlockwiseQuantization.QuantizeReference(x, map, codes2, absMax2);
            Assert.Equal(codes2, codes.AsSpan(1, n).ToArray());
            Assert.Equal(absMax2, absMax);
            var back = new float[n + 2];
            BlockwiseQuantization.Dequantize(codes.AsSpan(1, n), absMax, map, back.AsSpan(2, n));
            for (int i = 0; i < n; i++)
            {
                int b = i / BlockwiseQuantization.BlockSize;
                Assert.Equal(BlockwiseQuantization.AbsMax(x.Slice(b * 2048, Math.Min(2048, n - b * 2048))), absMax[b]);
                Assert.Equal(map.Values[codes[1 + i]] * absMax[b], back[2 + i]);
                // Per block: the error is at most half the map's gap around |x| / absmax, times absmax.
                float normalized = x[i] / absMax[b];
                Assert.True(Math.Abs(back[2 + i] - x[i]) <= absMax[b] * (HalfGap(map, normalized) + 1e-6f) + Math.Abs(x[i]) * 6.2e-5f, $"n={n} i={i}: {x[i]} -> {back[2 + i]} absmax {absMax[b]} code {codes[1 + i]} halfgap {HalfGap(map, normalized)}");
            }
            // Dynamic map: relative error of values within the top decade of their block at most 1/19 (linear steps of 0.9/64 over [0.1,1]).
            for (int i = 0; i < n; i++)
            {
                float a = Math.Abs(x[i]) / absMax[i / 2048];
                if (a >= 0.1f) Assert.True(Math.Abs(back[2 + i] - x[i]) <= Math.Abs(x[i]) * (signed ? 0.9f / 64 / 2 / 0.1f : 0.9f / 128 / 2 / 0.1f) + 1e-7f);
            }
        }
    }

    private static float HalfGap(QuantizationMap map, float normalized)
    {
        var v = map.Values;
        float a = Math.Clamp(normalized, -1, 1);
        for (int i = 0; i + 1 < v.Length; i++)
            if (a >= v[i] && a <= v[i + 1]) return (v[i + 1] - v[i]) / 2;
        return 1f;
    }

    [Fact]
    public void ZeroBlocksAndNonFiniteBlocks()
    {
        var map = QuantizationMap.DynamicSigned;
        var x = new float[3 * 2048 + 10];
        for (int i = 2048; i < x.Length; i++) x[i] = (i % 7) - 3;
        x[2 * 2048 + 5] = float.NaN;
        x[3 * 2048 + 1] = float.PositiveInfinity;
        var codes = new byte[x.Length];
        var absMax = new float[4];
        BlockwiseQuantization.Quantize(x, map, codes, absMax);
        Assert.Equal(0f, absMax[0]);
        Assert.All(codes.AsSpan(0, 2048).ToArray(), c => Assert.Equal(map.ZeroCode, c));
        Assert.Equal(3f, absMax[1]);
        Assert.True(float.IsNaN(absMax[2]));
        Assert.True(float.IsNaN(absMax[3]));
        var back = new float[x.Length];
        BlockwiseQuantization.Dequantize(codes, absMax, map, back);
        Assert.All(back.AsSpan(0, 2048).ToArray(), v => Assert.Equal(0f, v));
        for (int i = 2048; i < 2 * 2048; i++) Assert.True(Math.Abs(x[i] - back[i]) <= 0.022f, $"{x[i]} -> {back[i]}"); // top-decade step 0.9/64 times absmax 3
        Assert.All(back.AsSpan(2 * 2048).ToArray(), v => Assert.True(float.IsNaN(v)));
        var unsigned = new byte[x.Length];
        BlockwiseQuantization.Quantize(new float[x.Length], QuantizationMap.DynamicUnsigned, unsigned, absMax);
        Assert.All(unsigned, c => Assert.Equal(0, c));
    }

    [Fact]
    public void WrongLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.Quantize(new float[10], QuantizationMap.DynamicSigned, new byte[9], new float[1]));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.Quantize(new float[2049], QuantizationMap.DynamicSigned, new byte[2049], new float[1]));
        Assert.Throws<ArgumentException>(() => BFloat16.FromSingle(new float[3], new ushort[2]));
    }
}
