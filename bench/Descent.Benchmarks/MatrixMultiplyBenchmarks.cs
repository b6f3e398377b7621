using BenchmarkDotNet.Attributes;
using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Numerics;

namespace Descent.Benchmarks;

/// <summary>
/// The three matrix products of the 784-256-10 MLP's first layer at batch 128 (each 2·128·784·256 = 51.4 MFLOP):
/// forward <c>X·W1ᵀ</c>, weight gradient <c>dHᵀ·X</c>, and <c>dH·W1</c> (the input gradient a deeper net would need).
/// GFLOP/s = 0.0514 / (mean time in ms) · 1000.
/// </summary>
[MemoryDiagnoser]
public class MatrixMultiplyBenchmarks
{
    private const int Batch = 128, Inputs = 784, Hidden = 256;
    private float[] _x = [], _w = [], _h = [], _dw = [], _dx = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(0);
        float[] Fill(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = random.NextSingle() - 0.5f; return a; }
        _x = Fill(Batch * Inputs);
        _w = Fill(Hidden * Inputs);
        _h = Fill(Batch * Hidden);
        _dw = new float[Hidden * Inputs];
        _dx = new float[Batch * Inputs];
    }

    [Benchmark(Description = "X·W1ᵀ (128x784 · 784x256)")]
    public void ForwardABt() => MatrixMultiply.MultiplyTransposeB<float>(_x, _w, _h, Batch, Inputs, Hidden, Threads);

    [Benchmark(Description = "dHᵀ·X (256x128 · 128x784)")]
    public void WeightGradientAtB() => MatrixMultiply.MultiplyTransposeA<float>(_h, _x, _dw, Hidden, Batch, Inputs, Threads);

    [Benchmark(Description = "dH·W1 (128x256 · 256x784)")]
    public void InputGradientAB() => MatrixMultiply.Multiply<float>(_h, _w, _dx, Batch, Hidden, Inputs, Threads);
}

/// <summary>One MNIST-10k training epoch of the 784-256-10 MLP: 63 batches of 128 (8000 samples), forward + backward (no loss, no update).</summary>
[MemoryDiagnoser]
public class MlpEpochBenchmarks
{
    private const int Batch = 128;
    private Mlp _mlp = null!;
    private Dataset _train = null!;
    private float[] _x = [], _gradient = [];
    private int[] _labels = [];
    private BatchSampler _sampler = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _train = Mnist.LoadDirectory(Mnist.FindDefaultDirectory(AppContext.BaseDirectory)).Train;
        _mlp = new Mlp([784, 256, 10], Batch, seed: 1) { MaxDegreeOfParallelism = Threads };
        _x = new float[Batch * 784];
        _labels = new int[Batch];
        _gradient = new float[Batch * 10];
        for (int i = 0; i < _gradient.Length; i++) _gradient[i] = (i % 10 - 4.5f) * 1e-3f;
        _sampler = new BatchSampler(_train.Count, BatchMode.MiniBatch, Batch, seed: 1);
    }

    [Benchmark(Description = "MNIST-10k epoch fwd+bwd, batch 128")]
    public void Epoch()
    {
        do
        {
            ReadOnlySpan<int> batch = _sampler.NextBatch();
            _train.Gather(batch, _x, _labels);
            _mlp.Forward(_x, batch.Length);
            _mlp.Backward(_gradient.AsSpan(0, batch.Length * 10));
        }
        while (!_sampler.EpochCompleted);
    }
}
