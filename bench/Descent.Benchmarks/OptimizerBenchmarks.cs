using BenchmarkDotNet.Attributes;
using Descent.Numerics;
using Descent.Optimizers;

namespace Descent.Benchmarks;

/// <summary>One fused optimizer step on 16,777,216 float parameters, as one buffer and as 4,096 tensors of 4,096; plus the triad reference.</summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    private const int Total = 1 << 24;
    private Optimizer<float> _optimizer = null!;
    private float[] _a = [];
    private float[] _b = [];

    /// <summary>Every catalog optimizer with a fused kernel (the memory-bound ones), as <c>descent bench</c> times by default.</summary>
    public static IEnumerable<string> FusedOptimizers => Descent.Lab.Benchmarks.OptimizerBench.FusedCatalogNames();

    [ParamsSource(nameof(FusedOptimizers))]
    public string Optimizer { get; set; } = "adamw";

    [Params(1, 4096)]
    public int Tensors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _optimizer = OptimizerCatalog.Create<float>(Optimizer + "()");
        int n = Total / Tensors;
        var ps = new Parameter<float>[Tensors];
        for (int t = 0; t < Tensors; t++)
        {
            var g = new float[n];
            g.AsSpan().Fill(1e-3f);
            ps[t] = new Parameter<float>($"p{t}", new float[n], g);
        }
        _optimizer.AddGroup(ps);
        _a = new float[Total * 2];
        _b = new float[Total * 2];
    }

    [Benchmark]
    public void Step() => _optimizer.Step();

    /// <summary>The reference: a += s b over 2 x 32 Mi floats (384 MiB moved).</summary>
    [Benchmark(Baseline = true)]
    public void Triad() => Bandwidth.Triad<float>(_a, _b, 0.5f);
}
