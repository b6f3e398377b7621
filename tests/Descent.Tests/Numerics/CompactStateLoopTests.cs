using Descent.Numerics;

namespace Descent.Tests.Numerics;

/// <summary>
/// The compact-state loop equals its scalar reference bit for bit (decode the whole state with the reference decoder,
/// run the float kernel, encode with the binary-search encoder / scalar rounding): every length 0..257 plus multi-block
/// lengths, unaligned slices, 1 and 2 threads; int8 in the offset-float maps (the default) and in the dynamic tree;
/// AdamW in PyTorch's form and in the folded form of 8-bit state (the loop's register-constant AdamW path).
/// </summary>
public class CompactStateLoopTests
{
    private static IFusedKernel<float>[] Kernels() =>
    [
        new AdamKernel<float> { Beta1 = 0.9f, OneMinusBeta1 = 0.1f, Beta2 = 0.999f, OneMinusBeta2 = 0.001f, SecondMomentDivisor = 0.3f, Epsilon = 1e-8f, BiasScale = 1.7f, DecoupledDecay = 0.01f, NegativeLearningRate = -1e-2f },
        new SgdKernel<float> { HasMomentum = true, Momentum = 0.9f, OneMinusDampening = 1f, NegativeLearningRate = -0.1f, WeightDecay = 1e-3f },
        new LionKernel<float> { Beta1 = 0.9f, OneMinusBeta1 = 0.1f, Beta2 = 0.99f, OneMinusBeta2 = 0.01f, NegativeLearningRate = -1e-3f },
        // AdamW as 8-bit state runs it: divisor 1, epsilon and bias scale folded (the offset-float loop's own AdamW path).
        new AdamKernel<float> { Beta1 = 0.9f, OneMinusBeta1 = 0.1f, Beta2 = 0.999f, OneMinusBeta2 = 0.001f, SecondMomentDivisor = 1f, Epsilon = 3e-9f, BiasScale = 2.3f, DecoupledDecay = 0.01f, NegativeLearningRate = -1e-2f },
    ];

    private static readonly int[] Lengths = [.. Enumerable.Range(0, 258), 2047, 2049, 4096 + 7, 70_000, 140_001];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string precision in new[] { "int8", "int8-dynamic", "bfloat16", "bfloat16-stochastic" })
            for (int k = 0; k < 4; k++) data.Add(precision, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedEqualsScalarReference(string precision, int kernelIndex)
    {
        var random = new Random(kernelIndex * 7 + precision.Length);
        foreach (int n in Lengths)
        {
            int offset = 1 + n % 3;
            var p0 = new float[n + offset];
            var g = new float[n + offset];
            var m0 = new float[n];
            var v0 = new float[n];
            for (int i = 0; i < n + offset; i++) { p0[i] = (float)(random.NextDouble() * 2 - 1); g[i] = (float)(random.NextDouble() - 0.5) * (i % 5 == 0 ? 1e-4f : 1); }
            for (int i = 0; i < n; i++) { m0[i] = (float)(random.NextDouble() - 0.5) * 0.1f; v0[i] = (float)random.NextDouble() * 1e-3f; }
            if (n > 300) { for (int i = 2048; i < Math.Min(n, 4096); i++) { m0[i] = 0; v0[i] = 0; } } // a block of zeros
            if (n == 70_000) { g[offset + 5000] = float.NaN; g[offset + 9000] = float.PositiveInfinity; } // two poisoned blocks
            foreach (int threads in n >= FusedLoop.ParallelThreshold ? new[] { 1, 2 } : new[] { 1 })
            {
                var (pf, sf) = Make(precision, n, m0, v0, p0);
                var (pr, sr) = Make(precision, n, m0, v0, p0);
                var kernel = Kernels()[kernelIndex];
                {
                    for (int step = 0; step < 3; step++)
                    {
                        RunFused(kernel, pf.AsMemory(offset, n), g.AsMemory(offset, n), sf[0], sf[1], kernelIndex, threads);
                        RunReference(kernel, pr.AsSpan(offset, n), g.AsSpan(offset, n), sr[0], sr[1], kernelIndex);
                    }
                }
                Assert.True(pf.AsSpan().SequenceEqual(pr), $"{precision} kernel {kernelIndex} n={n} threads={threads}: parameters differ");
                for (int b = 0; b < 2; b++)
                {
                    Assert.True(sf[b].BFloat16.Span.SequenceEqual(sr[b].BFloat16.Span), $"n={n}: bfloat16 state {b} differs");
                    Assert.True(sf[b].Codes.Span.SequenceEqual(sr[b].Codes.Span), $"n={n}: codes {b} differ");
                    Assert.True(sf[b].AbsMax.Span.SequenceEqual(sr[b].AbsMax.Span), $"n={n}: absmax {b} differs");
                }
            }
        }
    }

    private static (float[] P, CompactState[] S) Make(string precision, int n, float[] m0, float[] v0, float[] p0)
    {
        var states = new CompactState[2];
        for (int b = 0; b < 2; b++)
        {
            var init = b == 0 ? m0 : v0;
            if (precision == "int8")
            {
                var s = CompactState.ForInt8(new byte[n], new float[BlockwiseQuantization.BlockCount(n)], b == 0 ? QuantizationMap.OffsetFloatSigned : QuantizationMap.OffsetFloatUnsigned);
                s.QuantizeReference(init);
                states[b] = s;
            }
            else if (precision == "int8-dynamic")
            {
                var s = CompactState.ForInt8(new byte[n], new float[BlockwiseQuantization.BlockCount(n)], b == 0 ? QuantizationMap.DynamicSigned : QuantizationMap.DynamicUnsigned);
                s.QuantizeReference(init);
                states[b] = s;
            }
            else
            {
                var s = CompactState.ForBFloat16(new ushort[n], precision.EndsWith("stochastic"), key: 99u + (uint)b);
                s.QuantizeReference(init);
                states[b] = s;
            }
        }
        return ((float[])p0.Clone(), states);
    }

    private static void RunFused(IFusedKernel<float> kernel, Memory<float> p, ReadOnlyMemory<float> g, CompactState s0, CompactState s1, int k, int threads)
    {
        switch (kernel)
        {
            case AdamKernel<float> a: CompactStateLoop.Run<float, AdamKernel<float>>(a, p, g, s0, s1, threads); break;
            case SgdKernel<float> s: CompactStateLoop.Run<float, SgdKernel<float>>(s, p, g, s0, default, threads); break;
            case LionKernel<float> l: CompactStateLoop.Run<float, LionKernel<float>>(l, p, g, s0, default, threads); break;
        }
    }

    private static void RunReference(IFusedKernel<float> kernel, Span<float> p, ReadOnlySpan<float> g, CompactState s0, CompactState s1, int k)
    {
        var m = new float[p.Length];
        var v = new float[p.Length];
        s0.DequantizeReference(m);
        bool two = kernel is AdamKernel<float>;
        if (two) s1.DequantizeReference(v);
        switch (kernel)
        {
            case AdamKernel<float> a: FusedLoop.RunSpans(a, p, g, m, v, Span<float>.Empty); break;
            case SgdKernel<float> s: FusedLoop.RunSpans(s, p, g, m, Span<float>.Empty, Span<float>.Empty); break;
            case LionKernel<float> l: FusedLoop.RunSpans(l, p, g, m, Span<float>.Empty, Span<float>.Empty); break;
        }
        s0.QuantizeReference(m);
        if (two) s1.QuantizeReference(v);
    }
}
