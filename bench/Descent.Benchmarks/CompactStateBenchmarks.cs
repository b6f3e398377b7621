using BenchmarkDotNet.Attributes;
using Descent.Numerics;

namespace Descent.Benchmarks;

/// <summary>
/// The arithmetic cost of compact optimizer state: one AdamW update of 16,384 float parameters (everything in L2, one thread)
/// with float32 state (<see cref="FusedLoop"/>), bfloat16 state, int8 state in the offset-float maps with AdamW in the folded
/// form that 8-bit state runs (divisor 1), int8 state in the dynamic tree (the generic single-pass loop), and the encoders alone. Memory bandwidth does not limit these, so they show what the compact kernels add per element; the
/// bandwidth-bound figures are <c>descent bench --state</c>'s.
/// </summary>
public class CompactStateBenchmarks
{
    private const int N = 16384;
    private readonly AdamKernel<float> _adam = new()
    {
        Beta1 = 0.9f, OneMinusBeta1 = 0.1f, Beta2 = 0.999f, OneMinusBeta2 = 0.001f, SecondMomentDivisor = 0.3f,
        Epsilon = 1e-8f, BiasScale = 1.7f, DecoupledDecay = 0.01f, NegativeLearningRate = -1e-5f,
    };
    private float[] _p = [], _g = [], _m = [], _v = [];
    private readonly AdamKernel<float> _adamFolded = new()
    {
        Beta1 = 0.9f, OneMinusBeta1 = 0.1f, Beta2 = 0.999f, OneMinusBeta2 = 0.001f, SecondMomentDivisor = 1f,
        Epsilon = 3e-9f, BiasScale = 2.3f, DecoupledDecay = 0.01f, NegativeLearningRate = -1e-5f,
    };
    private CompactState _m8, _v8, _mTree, _vTree, _m16, _v16;
    private byte[] _codes = [];
    private float[] _absMax = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _p = new float[N]; _g = new float[N]; _m = new float[N]; _v = new float[N];
        for (int i = 0; i < N; i++)
        {
            _p[i] = (float)random.NextDouble();
            _g[i] = (float)(random.NextDouble() - 0.5);
            _m[i] = (float)(random.NextDouble() - 0.5) * 0.01f;
            _v[i] = (float)random.NextDouble() * 1e-4f;
        }
        _m8 = CompactState.ForInt8(new byte[N], new float[BlockwiseQuantization.BlockCount(N)], QuantizationMap.OffsetFloatSigned);
        _v8 = CompactState.ForInt8(new byte[N], new float[BlockwiseQuantization.BlockCount(N)], QuantizationMap.OffsetFloatUnsigned);
        _mTree = CompactState.ForInt8(new byte[N], new float[BlockwiseQuantization.BlockCount(N)], QuantizationMap.DynamicSigned);
        _vTree = CompactState.ForInt8(new byte[N], new float[BlockwiseQuantization.BlockCount(N)], QuantizationMap.DynamicUnsigned);
        _mTree.QuantizeReference(_m); _vTree.QuantizeReference(_v);
        _m16 = CompactState.ForBFloat16(new ushort[N]);
        _v16 = CompactState.ForBFloat16(new ushort[N]);
        _m8.QuantizeReference(_m); _v8.QuantizeReference(_v); _m16.QuantizeReference(_m); _v16.QuantizeReference(_v);
        _codes = new byte[N];
        _absMax = new float[BlockwiseQuantization.BlockCount(N)];
    }

    [Benchmark(Baseline = true)]
    public void AdamWFloat32() => FusedLoop.RunSpans(_adam, _p, _g, _m, _v, Span<float>.Empty);

    [Benchmark]
    public void AdamWBFloat16() => CompactStateLoop.Run(_adam, _p.AsMemory(), _g.AsMemory(), _m16, _v16, 1);

    /// <summary>int8 state as the optimizer keeps it: offset-float maps, AdamW folded (the loop's register-constant path).</summary>
    [Benchmark]
    public void AdamWInt8() => CompactStateLoop.Run(_adamFolded, _p.AsMemory(), _g.AsMemory(), _m8, _v8, 1);

    /// <summary>int8 state in Dettmers' dynamic tree (byte-permute decoder, bucket encoder with gathers).</summary>
    [Benchmark]
    public void AdamWInt8DynamicTree() => CompactStateLoop.Run(_adam, _p.AsMemory(), _g.AsMemory(), _mTree, _vTree, 1);

    /// <summary>Absmax and encoding of one state buffer in the dynamic tree (the block-by-block path's encoder).</summary>
    [Benchmark]
    public void QuantizeSigned() => BlockwiseQuantization.Quantize(_m, QuantizationMap.DynamicSigned, _codes, _absMax);
}
