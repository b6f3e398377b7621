using BenchmarkDotNet.Attributes;
using Descent.Optimizers;

namespace Descent.Benchmarks;

/// <summary>
/// One step of every catalog optimizer (default options) on a 1024 × 1024 float matrix, composed and, where there is one,
/// fused: the cost of each rule chain, and what each kernel saves.
/// </summary>
[MemoryDiagnoser]
public class CatalogOptimizerBenchmarks
{
    private const int Rows = 1024, Columns = 1024;
    private Optimizer<float> _optimizer = null!;

    /// <summary>Every catalog entry.</summary>
    public static IEnumerable<string> Optimizers => OptimizerCatalog.All.Select(d => d.Name);

    [ParamsSource(nameof(Optimizers))]
    public string Optimizer { get; set; } = "adamw";

    [Params(false, true)]
    public bool Fused { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _optimizer = OptimizerCatalog.Create<float>(Optimizer + "()");
        _optimizer.UseFusedKernels = Fused;
        var random = new Random(0);
        var p = new float[Rows * Columns];
        var g = new float[Rows * Columns];
        for (int i = 0; i < p.Length; i++) { p[i] = random.NextSingle() - 0.5f; g[i] = random.NextSingle() - 0.5f; }
        _optimizer.AddGroup(new Parameter<float>("w", p, g, [Rows, Columns]));
    }

    [Benchmark]
    public void Step()
    {
        if (Fused && !_optimizer.HasFusedKernel) return; // no kernel: the composed row is the measurement
        _optimizer.Step();
    }
}
