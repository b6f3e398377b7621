using BenchmarkDotNet.Attributes;
using Descent.Numerics;

namespace Descent.Benchmarks;

/// <summary>
/// The arithmetic cost of compact optimizer state: one AdamW update of 16,384 float parameters (everything in L2, one thread)
/// with float32 state (<see cref="FusedLoop"/>), bfloat16 and int8 state (<see cref="CompactStateLoop"/>), and the int8 encoder
/// and decoder alone. Memory bandwidth does not limit these, so they show what the compact kernels add per element; the
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
    private CompactState _m8, _v8, _m16, _v16;
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
        _m8 = CompactState.ForInt8(new byte[N], new float[BlockwiseQuantization.BlockCount(N)], QuantizationMap.DynamicSigned);
        _v8 = CompactState.ForInt8(new byte[N], new float[BlockwiseQuantization.BlockCount(N)], QuantizationMap.DynamicUnsigned);
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

    [Benchmark]
    public void AdamWInt8() => CompactStateLoop.Run(_adam, _p.AsMemory(), _g.AsMemory(), _m8, _v8, 1);

    /// <summary>Absmax and encoding of one state buffer (the block-by-block path's encoder).</summary>
    [Benchmark]
    public void QuantizeSigned() => BlockwiseQuantization.Quantize(_m, QuantizationMap.DynamicSigned, _codes, _absMax);
}
