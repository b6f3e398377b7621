using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.IO.Hashing;
using Descent.Losses;
using Descent.Numerics;
using Descent.Optimizers;

namespace Descent.Lab.Benchmarks;

/// <summary>What <see cref="OptimizerBench.Run"/> measures.</summary>
/// <param name="Optimizers">Catalog names or full text forms (e.g. <c>adamw</c>, <c>sgd(lr=0.1, momentum=0.9)</c>).</param>
/// <param name="Parameters">Total parameters, split evenly over <paramref name="Tensors"/> (the last takes the remainder).</param>
/// <param name="Tensors">Number of separate parameter tensors (each with its own gradient and state arrays).</param>
/// <param name="Threads">Threads used by the kernels and by the reference (the optimizers' and the loss's <c>MaxDegreeOfParallelism</c> and the triad's argument).</param>
/// <param name="Double">Double precision instead of float.</param>
/// <param name="Repeats">Timed steps per optimizer, spread over the <paramref name="Pairs"/> pairs (at least 3 per pair); the step time
/// reported is the median of all of them.</param>
/// <param name="Warmup">Untimed steps first (at least this many).</param>
/// <param name="WarmupSeconds">Untimed steps go on for at least this long, so that tiered JIT compilation has replaced the first code of the kernels.</param>
/// <param name="Scaling">Also measure every thread count from 1 to <paramref name="Threads"/>, and check that a few steps from the
/// same start give the same bits whatever the thread count.</param>
/// <param name="LossRows">Rows of the softmax cross-entropy measurement (value and gradient of a [rows x classes] batch); 0 skips it.</param>
/// <param name="LossClasses">Classes of the softmax cross-entropy measurement.</param>
/// <param name="Pairs">Interleaved (reference, optimizer) pairs per optimizer: each pair times the triad and the optimizer back to back
/// (order alternating), giving one ratio; the fraction of the reference is the median of the pair ratios, reported with a
/// distribution-free confidence interval for that median. At least 1.</param>
/// <param name="States">State precisions to measure each optimizer in (default float32 only). With several, the steps of every
/// precision and the triad run in alternation (one of each per round), so that their ratios do not depend on when each was measured.</param>
public sealed record OptimizerBenchOptions(IReadOnlyList<string> Optimizers, int Parameters, int Tensors, int Threads, bool Double,
    int Repeats = 30, int Warmup = 5, double WarmupSeconds = 0.5, bool Scaling = false, int LossRows = 0, int LossClasses = 1000, int Pairs = 10,
    IReadOnlyList<StatePrecision>? States = null)
{
    /// <summary>The state precisions measured (float32 when none were given).</summary>
    public IReadOnlyList<StatePrecision> StatePrecisions => States is { Count: > 0 } s ? s : [StatePrecision.Float32];

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the option.</summary>
    public void Validate()
    {
        if (Optimizers.Count == 0 && LossRows == 0) throw new ArgumentException("--optimizers needs at least one optimizer");
        if (Parameters < 1) throw new ArgumentException($"--params must be >= 1, got {Parameters}");
        if (Tensors < 1 || Tensors > Parameters) throw new ArgumentException($"--tensors must be in [1, params], got {Tensors}");
        if (Threads < 1) throw new ArgumentException($"--threads must be >= 1, got {Threads}");
        if (Repeats < 1) throw new ArgumentException($"--repeats must be >= 1, got {Repeats}");
        if (Pairs < 1 || Pairs > 1000) throw new ArgumentException($"--pairs must be in [1, 1000], got {Pairs}");
        if (Warmup < 0) throw new ArgumentException($"--warmup must be >= 0, got {Warmup}");
        if (!(WarmupSeconds >= 0 && WarmupSeconds <= 600)) throw new ArgumentException($"--warmup-seconds must be in [0, 600], got {WarmupSeconds}");
        if (LossRows < 0) throw new ArgumentException($"--loss-rows must be >= 0, got {LossRows}");
        if (StatePrecisions.Distinct().Count() != StatePrecisions.Count) throw new ArgumentException("--state lists a precision twice");
        if (Double && StatePrecisions.Any(s => s != StatePrecision.Float32)) throw new ArgumentException("--state bfloat16/int8 needs --dtype float");
        if (LossClasses < 1 || (long)LossRows * LossClasses > Array.MaxLength) throw new ArgumentException($"--loss-classes must be >= 1 with rows x classes <= {Array.MaxLength}, got {LossClasses}");
    }
}

/// <summary>One optimizer's timing.</summary>
/// <param name="Optimizer">The text the optimizer was given as.</param>
/// <param name="Fused">Whether it ran a fused single-pass kernel.</param>
/// <param name="MinBytesPerParam">Bytes that must move per parameter: read parameter, gradient and k state values, write parameter and state.</param>
/// <param name="FractionOfReference">The median over the interleaved pairs of (effective GB/s in the pair) / (triad GB/s in the pair).</param>
/// <param name="ReferenceGbps">The median triad of this optimizer's pairs (same process, same threads, measured next to each
/// optimizer measurement, so that drift of the machine's bandwidth between measurements does not enter the fraction).</param>
/// <param name="OneBufferSecondsPerStep">With several tensors: the step time of the same optimizer on one buffer of the same total
/// size, timed in alternation with the split step (null for one tensor).</param>
/// <param name="Spread">The pair ratios: how many pairs, and the confidence interval for their median.</param>
/// <param name="State">The state precision (<c>float32</c>, <c>bfloat16</c>, <c>int8</c>).</param>
/// <param name="StateBytes">Bytes of optimizer state held (<see cref="Optimizer{T}.StateByteCount"/>).</param>
/// <param name="SpeedupOverFloat32">With several state precisions: float32 state's step time over this one's, from the same
/// alternating rounds (null otherwise).</param>
public sealed record OptimizerBenchResult(string Optimizer, long Parameters, int Tensors, string DType, bool Fused,
    double SecondsPerStep, int MinBytesPerParam, double EffectiveGbps, double FractionOfReference, double ReferenceGbps,
    double? OneBufferSecondsPerStep = null, RatioSpread? Spread = null, string State = "float32", long StateBytes = 0, double? SpeedupOverFloat32 = null)
{
    /// <summary>Split-tensor step time over one-buffer step time (null for one tensor).</summary>
    public double? RatioToOneBuffer => OneBufferSecondsPerStep is { } one ? SecondsPerStep / one : null;
}

/// <summary>The softmax cross-entropy timing (value and gradient, mean reduction, class-index targets).</summary>
/// <param name="MinBytesPerElement">Read one logit, write one gradient: 2 x sizeof(T) (targets and row losses are negligible).</param>
/// <param name="FractionOfReference">The median over the interleaved pairs of (effective GB/s) / (triad GB/s).</param>
/// <param name="Spread">The pair ratios: how many pairs, and the confidence interval for their median.</param>
public sealed record LossBenchResult(string Loss, int Rows, int Classes, string DType, double SecondsPerCall, int MinBytesPerElement,
    double EffectiveGbps, double FractionOfReference, double ReferenceGbps, RatioSpread? Spread = null);

/// <summary>
/// How far the fraction of the reference can be trusted: the ratios of <see cref="Pairs"/> interleaved (reference, subject) pairs,
/// and the distribution-free confidence interval [<see cref="Low"/>, <see cref="High"/>] for their median (order statistics of the
/// sorted ratios; its coverage is <see cref="Confidence"/>, the smallest at least 0.95 that the pair count allows, else min..max).
/// </summary>
/// <param name="Pairs">Number of pairs.</param>
/// <param name="Low">Lower end of the interval for the median ratio.</param>
/// <param name="High">Upper end of the interval for the median ratio.</param>
/// <param name="Confidence">Coverage of [Low, High] for the true median if the pairs are independent (binomial, exact).</param>
/// <param name="Ratios">Every pair's ratio, in the order measured.</param>
public sealed record RatioSpread(int Pairs, double Low, double High, double Confidence, IReadOnlyList<double> Ratios)
{
    /// <summary>The interval for the median of <paramref name="ratios"/> (see the type's summary).</summary>
    public static RatioSpread Of(IReadOnlyList<double> ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        if (ratios.Count == 0) throw new ArgumentException("At least one ratio is needed", nameof(ratios));
        var sorted = ratios.Order().ToArray();
        int n = sorted.Length;
        // [x(k), x(n+1-k)] covers the median with probability 1 - 2 P(Bin(n, 1/2) <= k - 1); take the largest k keeping >= 0.95.
        int best = 1;
        for (int k = 1; k <= (n + 1) / 2; k++)
        {
            if (Coverage(n, k) >= 0.95) best = k; else break;
        }
        return new RatioSpread(n, sorted[best - 1], sorted[n - best], Coverage(n, best), ratios.ToArray());
    }

    private static double Coverage(int n, int k)
    {
        // 1 - 2 * sum_{i < k} C(n, i) / 2^n
        double tail = 0, c = 1;
        for (int i = 0; i < k; i++)
        {
            tail += c;
            c = c * (n - i) / (i + 1);
        }
        return Math.Max(0, 1 - 2 * tail / Math.Pow(2, n));
    }
}

/// <summary>The machine reference and every optimizer's result.</summary>
/// <param name="ReferenceGbps">In-place triad a += s b (3 streams), GB/s (1e9 bytes): the median of all triad measurements of this run.</param>
/// <param name="CopyGbps">Parallel copy (2 streams), GB/s.</param>
/// <param name="Scaling">With <see cref="OptimizerBenchOptions.Scaling"/>: one report per thread count, 1 to <paramref name="Threads"/>.</param>
/// <param name="IdenticalAcrossThreads">With scaling: per optimizer (and loss), whether three steps from the same start gave the
/// same parameter, state (and gradient) bits at every thread count.</param>
public sealed record OptimizerBenchReport(double ReferenceGbps, double CopyGbps, int Threads, long ReferenceElements,
    IReadOnlyList<OptimizerBenchResult> Results, IReadOnlyList<LossBenchResult> Losses,
    IReadOnlyList<OptimizerBenchReport>? Scaling = null, IReadOnlyDictionary<string, bool>? IdenticalAcrossThreads = null)
{
    /// <summary>Reasons not to trust the figures (warm-up too short, steps still speeding up); empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The JSON form: {"reference_gbps", "copy_gbps", "threads", "results": [{"optimizer", "params", ...}], "losses": [...]}.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(w);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("reference_gbps", ReferenceGbps);
        w.WriteNumber("copy_gbps", CopyGbps);
        w.WriteNumber("threads", Threads);
        w.WriteNumber("reference_elements", ReferenceElements);
        w.WriteStartArray("results");
        foreach (var r in Results)
        {
            w.WriteStartObject();
            w.WriteString("optimizer", r.Optimizer);
            w.WriteNumber("params", r.Parameters);
            w.WriteNumber("tensors", r.Tensors);
            w.WriteString("dtype", r.DType);
            w.WriteBoolean("fused", r.Fused);
            w.WriteNumber("seconds_per_step", r.SecondsPerStep);
            w.WriteNumber("min_bytes_per_param", r.MinBytesPerParam);
            w.WriteNumber("effective_gbps", r.EffectiveGbps);
            w.WriteNumber("fraction_of_reference", r.FractionOfReference);
            w.WriteNumber("reference_gbps", r.ReferenceGbps);
            WriteSpread(w, r.Spread);
            w.WriteString("state", r.State);
            w.WriteNumber("state_bytes", r.StateBytes);
            if (r.SpeedupOverFloat32 is { } speedup) w.WriteNumber("speedup_over_float32", speedup);
            if (r.OneBufferSecondsPerStep is { } one)
            {
                w.WriteNumber("one_buffer_seconds_per_step", one);
                w.WriteNumber("ratio_to_one_buffer", r.RatioToOneBuffer!.Value);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("losses");
        foreach (var l in Losses)
        {
            w.WriteStartObject();
            w.WriteString("loss", l.Loss);
            w.WriteNumber("rows", l.Rows);
            w.WriteNumber("classes", l.Classes);
            w.WriteString("dtype", l.DType);
            w.WriteNumber("seconds_per_call", l.SecondsPerCall);
            w.WriteNumber("min_bytes_per_element", l.MinBytesPerElement);
            w.WriteNumber("effective_gbps", l.EffectiveGbps);
            w.WriteNumber("fraction_of_reference", l.FractionOfReference);
            w.WriteNumber("reference_gbps", l.ReferenceGbps);
            WriteSpread(w, l.Spread);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (Scaling is not null)
        {
            w.WriteStartArray("scaling");
            foreach (var point in Scaling) point.Write(w);
            w.WriteEndArray();
        }
        if (IdenticalAcrossThreads is not null)
        {
            w.WriteStartObject("identical_across_threads");
            foreach (var (name, same) in IdenticalAcrossThreads) w.WriteBoolean(name, same);
            w.WriteEndObject();
        }
        w.WriteStartArray("warnings");
        foreach (string warning in Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSpread(Utf8JsonWriter w, RatioSpread? spread)
    {
        if (spread is null) return;
        w.WriteNumber("pairs", spread.Pairs);
        w.WriteStartArray("fraction_spread");
        w.WriteNumberValue(spread.Low);
        w.WriteNumberValue(spread.High);
        w.WriteEndArray();
        w.WriteNumber("spread_confidence", spread.Confidence);
        w.WriteStartArray("pair_fractions");
        foreach (double ratio in spread.Ratios) w.WriteNumberValue(ratio);
        w.WriteEndArray();
    }
}

/// <summary>
/// Times optimizer steps against this machine's memory bandwidth, measured in the same process with the same threads:
/// an in-place triad over a working set at least as large as the largest optimizer's (so caches do not flatter it),
/// and a copy. Each optimizer's figure is the median of <see cref="OptimizerBenchOptions.Repeats"/> steps after a warm-up.
/// </summary>
public static class OptimizerBench
{
    /// <summary>The catalog optimizers with a fused kernel, in catalog order: the memory-bound ones <c>descent bench</c> times by default.</summary>
    public static IReadOnlyList<string> FusedCatalogNames()
        => OptimizerCatalog.All.Where(d => d.Create<float>(OptimizerCatalog.Parse(d.Name + "()")).HasFusedKernel).Select(d => d.Name).ToArray();

    /// <summary>Splits a comma-separated list of optimizer texts at top-level commas (not inside parentheses or brackets).</summary>
    public static IReadOnlyList<string> SplitList(string text)
    {
        var items = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ',';
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth--;
            else if (c == ',' && depth == 0)
            {
                string item = text[start..i].Trim();
                if (item.Length > 0) items.Add(item);
                start = i + 1;
            }
        }
        return items;
    }

    /// <summary>Runs the benchmark; <paramref name="progress"/> receives a line per finished measurement.</summary>
    public static OptimizerBenchReport Run(OptimizerBenchOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var specs = options.Optimizers.Select(t => OptimizerCatalog.Parse(t.Contains('(') ? t : t + "()")).ToArray();
        return options.Double ? Run<double>(options, specs, progress) : Run<float>(options, specs, progress);
    }

    private static OptimizerBenchReport Run<T>(OptimizerBenchOptions o, OptimizerSpec[] specs, Action<string>? progress)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Working set of the largest optimizer: parameter, gradient and up to 3 state buffers; the triad's two arrays cover it.
        int maxState = specs.Length == 0 ? 0 : specs.Max(s => StateBuffersOf<T>(s, 1));
        long referenceElements = Math.Min(Math.Max((long)o.Parameters * (2 + maxState) / 2, o.Parameters), Array.MaxLength);
        var data = new BenchData<T>(o, (int)referenceElements);
        if (!o.Scaling)
        {
            data.Threads = o.Threads;
            return Measure(o, specs, data, o.Threads, progress);
        }
        var points = new List<OptimizerBenchReport>();
        for (int t = 1; t <= o.Threads; t++)
        {
            data.Threads = t;
            points.Add(Measure(o, specs, data, t, progress));
        }
        var identical = new Dictionary<string, bool>();
        for (int k = 0; k < specs.Length; k++)
        {
            var spec = specs[k];
            identical[o.Optimizers[k]] = SameAtEveryThreadCount(() => data.HashOfSteps(spec, 3), data, o.Threads);
            progress?.Invoke($"{o.Optimizers[k]}: {(identical[o.Optimizers[k]] ? "same bits" : "DIFFERENT bits")} at 1..{o.Threads} threads");
        }
        if (o.LossRows > 0) identical[SoftmaxCrossEntropyName] = SameAtEveryThreadCount(data.HashOfLoss, data, o.Threads);
        return points[^1] with { Scaling = points, IdenticalAcrossThreads = identical };
    }

    // Whether hash() gives the same value with 1, 2, ..., threads threads.
    private static bool SameAtEveryThreadCount<T>(Func<ulong> hash, BenchData<T> data, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var hashes = new HashSet<ulong>();
        for (int t = 1; t <= threads; t++)
        {
            data.Threads = t;
            hashes.Add(hash());
        }
        return hashes.Count == 1;
    }

    /// <summary>The loss name used in reports.</summary>
    public const string SoftmaxCrossEntropyName = "softmax_cross_entropy";

    private static OptimizerBenchReport Measure<T>(OptimizerBenchOptions o, OptimizerSpec[] specs, BenchData<T> data, int threads, Action<string>? progress)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = Marshal.SizeOf<T>();
        string dtype = o.Double ? "double" : "float";
        var (a, b) = (data.ReferenceA, data.ReferenceB);
        long referenceElements = a.Length;
        var (firstTriad, copy) = Reference<T>(a, b, threads, o.Repeats, o.Warmup, o.WarmupSeconds);
        var triads = new List<double> { firstTriad };
        progress?.Invoke($"reference: triad {firstTriad:F1} GB/s, copy {copy:F1} GB/s over {referenceElements:N0} x 2 {dtype} ({threads} threads)");

        var warnings = new List<string>();
        if (o.WarmupSeconds < MinimumTrustedWarmupSeconds)
        {
            warnings.Add($"warm-up of {o.WarmupSeconds:0.###} s per measurement is shorter than the {MinimumTrustedWarmupSeconds} s tiered JIT "
                + "compilation needs to replace the first code: figures may include unoptimized steps (raise --warmup-seconds)");
        }
        int perPair = Math.Max(3, (o.Repeats + o.Pairs - 1) / o.Pairs);
        var results = new List<OptimizerBenchResult>();
        var states = o.StatePrecisions;
        for (int k = 0; k < specs.Length && (states.Count > 1 || states[0] != StatePrecision.Float32); k++)
        {
            // Every precision of this optimizer and the triad, one step of each per round.
            string name = o.Optimizers[k];
            var optimizers = states.Select(s => data.Create(specs[k], s)).ToArray();
            foreach (var x in optimizers) WarmUp(x.Step, o.Warmup, o.WarmupSeconds);
            T scale = T.CreateTruncating(0.5);
            var actions = new List<Action> { () => Bandwidth.Triad<T>(a, b, scale) };
            actions.AddRange(optimizers.Select(x => (Action)x.Step));
            var medians = MedianSecondsRoundRobin(actions, Math.Max(o.Repeats, 5));
            double triad = (double)Bandwidth.TriadBytesPerElement<T>() * a.Length / medians[0] / 1e9;
            triads.Add(triad);
            int float32 = states.ToList().IndexOf(StatePrecision.Float32);
            for (int j = 0; j < optimizers.Length; j++)
            {
                double seconds = medians[j + 1];
                long stateBytes = optimizers[j].StateByteCount;
                double bytes = 3.0 * size * o.Parameters + 2.0 * stateBytes;
                double gbps = bytes / seconds / 1e9;
                double? speedup = float32 >= 0 ? medians[float32 + 1] / seconds : null;
                results.Add(new OptimizerBenchResult(name, o.Parameters, o.Tensors, dtype, optimizers[j].HasFusedKernel, seconds,
                    (int)Math.Round(bytes / o.Parameters), gbps, gbps / triad, triad, null, null, states[j].TextName(), stateBytes, speedup));
                progress?.Invoke($"{name} state={states[j].TextName()}: {seconds * 1e3:F3} ms, state {stateBytes:N0} bytes{(speedup is { } x ? $", {x:F2}x float32 state" : "")} (triad in the same rounds: {triad:F1} GB/s)");
            }
        }
        for (int k = 0; k < specs.Length && states.Count == 1 && states[0] == StatePrecision.Float32; k++)
        {
            string name = o.Optimizers[k];
            var optimizer = data.Create(specs[k]);
            int buffers = optimizer.ParameterStates.First().Buffers.Count;
            int minBytes = (3 + 2 * buffers) * size;
            WarmUp(optimizer.Step, o.Warmup, o.WarmupSeconds);
            Optimizer<T>? single = null;
            if (o.Tensors > 1)
            {
                // The same total size in one buffer, timed step for step in alternation with the split one, so that the
                // ratio does not depend on when each was measured.
                single = data.CreateOneBuffer(specs[k]);
                WarmUp(single.Step, o.Warmup, o.WarmupSeconds);
            }
            var split = new List<double>();
            var one = new List<double>();
            var pairs = Pairs(o.Pairs, a, b, threads, bytesPerStep: (double)minBytes * o.Parameters, triads, time: () =>
            {
                if (single is null) return MedianSeconds(optimizer.Step, perPair, split);
                return MedianSecondsAlternating(optimizer.Step, single.Step, perPair, split, one).First;
            });
            double seconds = Median(split.ToArray());
            double? oneBuffer = single is null ? null : Median(one.ToArray());
            double gbps = (double)minBytes * o.Parameters / seconds / 1e9;
            var spread = RatioSpread.Of(pairs.Ratios);
            results.Add(new OptimizerBenchResult(name, o.Parameters, o.Tensors, dtype, optimizer.HasFusedKernel, seconds, minBytes, gbps,
                Median(pairs.Ratios), Median(pairs.Triads), oneBuffer, spread, "float32", optimizer.StateByteCount));
            WarnIfStillWarmingUp(name, pairs.Seconds, warnings);
            progress?.Invoke($"{name}: {seconds * 1e3:F3} ms, {Median(pairs.Ratios) * 100:F1}% of the triad (pairs: {spread.Pairs}, "
                + $"{spread.Confidence * 100:F0}% interval {spread.Low * 100:F1}-{spread.High * 100:F1}%){(oneBuffer is { } obs ? $"; one buffer {obs * 1e3:F3} ms, ratio {seconds / obs:F2}" : "")}");
        }

        var losses = new List<LossBenchResult>();
        if (o.LossRows > 0)
        {
            WarmUp(data.EvaluateLoss, o.Warmup, o.WarmupSeconds);
            int bytes = 2 * size;
            var calls = new List<double>();
            var pairs = Pairs(o.Pairs, a, b, threads, bytesPerStep: (double)bytes * o.LossRows * o.LossClasses, triads,
                time: () => MedianSeconds(data.EvaluateLoss, perPair, calls));
            double seconds = Median(calls.ToArray());
            double gbps = (double)bytes * o.LossRows * o.LossClasses / seconds / 1e9;
            var spread = RatioSpread.Of(pairs.Ratios);
            losses.Add(new LossBenchResult(SoftmaxCrossEntropyName, o.LossRows, o.LossClasses, dtype, seconds, bytes, gbps, Median(pairs.Ratios),
                Median(pairs.Triads), spread));
            WarnIfStillWarmingUp(SoftmaxCrossEntropyName, pairs.Seconds, warnings);
            progress?.Invoke($"{SoftmaxCrossEntropyName} {o.LossRows}x{o.LossClasses}: {seconds * 1e3:F3} ms, {Median(pairs.Ratios) * 100:F1}% of the triad "
                + $"(pairs: {spread.Pairs}, {spread.Confidence * 100:F0}% interval {spread.Low * 100:F1}-{spread.High * 100:F1}%)");
        }
        foreach (string warning in warnings) progress?.Invoke("warning: " + warning);
        return new OptimizerBenchReport(Median(triads.ToArray()), copy, threads, referenceElements, results, losses) { Warnings = warnings };
    }

    /// <summary>Warm-ups shorter than this are reported as untrustworthy (tiered JIT waits ~0.1 s of quiet, then recompiles hot code).</summary>
    public const double MinimumTrustedWarmupSeconds = 0.25;

    // The first pair's subject time more than 20 % above the SLOWEST later pair: steps were still getting faster. (Against the
    // median instead, a loaded host's noise alone trips the test about once a run; code not yet optimized by the JIT is slower
    // than every later pair, typically several times.)
    private static void WarnIfStillWarmingUp(string name, IReadOnlyList<double> pairSeconds, List<string> warnings)
    {
        if (pairSeconds.Count < 4) return;
        double slowestLater = pairSeconds.Skip(1).Max();
        double first = pairSeconds[0];
        if (first > 1.2 * slowestLater)
        {
            warnings.Add($"{name}: the first timed steps took {first / slowestLater:0.00}x the slowest later ones, so the warm-up was too short "
                + "(raise --warmup-seconds or --warmup)");
        }
    }

    private sealed record PairTimes(double[] Ratios, double[] Triads, double[] Seconds);

    // Runs `pairs` pairs of (triad, subject), alternating which goes first; each pair gives subject GB/s / triad GB/s.
    private static PairTimes Pairs<T>(int pairs, T[] a, T[] b, int threads, double bytesPerStep, List<double> allTriads, Func<double> time)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ratios = new double[pairs];
        var triads = new double[pairs];
        var seconds = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            double triad, subject;
            if (p % 2 == 0)
            {
                triad = Triad(a, b, threads, 3, 0);
                subject = time();
            }
            else
            {
                subject = time();
                triad = Triad(a, b, threads, 3, 0);
            }
            triads[p] = triad;
            seconds[p] = subject;
            ratios[p] = bytesPerStep / subject / 1e9 / triad;
            allTriads.Add(triad);
        }
        return new PairTimes(ratios, triads, seconds);
    }


    // Parameters, gradients and loss inputs shared by every measurement of a run; optimizers start from the same values.
    private sealed class BenchData<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[][] _initial, _values, _gradients;
        private readonly T[] _oneValues = [], _oneGradients = [];
        private readonly T[] _logits = [], _lossGradient = [];
        private readonly int[] _targets = [];
        private readonly int _classes;
        private readonly SoftmaxCrossEntropy<T> _loss = new();

        /// <summary>Threads of the optimizers this creates and of the loss (set per measurement).</summary>
        public int Threads { get; set; } = 1;

        /// <summary>The two arrays of the reference triad and copy (allocated once for all thread counts).</summary>
        public readonly T[] ReferenceA, ReferenceB;

        public BenchData(OptimizerBenchOptions o, int referenceElements)
        {
            ReferenceA = new T[referenceElements];
            ReferenceB = new T[referenceElements];
            ReferenceB.AsSpan().Fill(T.CreateTruncating(1e-3));
            var random = new Random(12345);
            _initial = new T[o.Tensors][];
            _values = new T[o.Tensors][];
            _gradients = new T[o.Tensors][];
            // Parameters are allocated together (as a model allocates them when it is built), then the gradients together
            // (as a framework allocates them at the first backward pass); each tensor is its own array.
            var lengths = new int[o.Tensors];
            for (int t = 0; t < o.Tensors; t++) lengths[t] = o.Parameters / o.Tensors + (t == o.Tensors - 1 ? o.Parameters % o.Tensors : 0);
            for (int t = 0; t < o.Tensors; t++) _initial[t] = new T[lengths[t]];
            for (int t = 0; t < o.Tensors; t++) _values[t] = new T[lengths[t]];
            for (int t = 0; t < o.Tensors; t++) _gradients[t] = new T[lengths[t]];
            for (int t = 0; t < o.Tensors; t++)
            {
                for (int i = 0; i < lengths[t]; i++)
                {
                    _initial[t][i] = T.CreateTruncating(random.NextDouble() - 0.5);
                    _gradients[t][i] = T.CreateTruncating((random.NextDouble() - 0.5) * 1e-2);
                }
                _initial[t].CopyTo(_values[t], 0);
            }
            if (o.Tensors > 1)
            {
                _oneValues = new T[o.Parameters];
                _oneGradients = new T[o.Parameters];
                int at = 0;
                for (int t = 0; t < o.Tensors; t++)
                {
                    _initial[t].CopyTo(_oneValues, at);
                    _gradients[t].CopyTo(_oneGradients, at);
                    at += _initial[t].Length;
                }
            }
            _classes = o.LossClasses;
            if (o.LossRows > 0)
            {
                _logits = new T[o.LossRows * o.LossClasses];
                _lossGradient = new T[_logits.Length];
                _targets = new int[o.LossRows];
                for (int i = 0; i < _logits.Length; i++) _logits[i] = T.CreateTruncating(random.NextDouble() * 10 - 5);
                for (int r = 0; r < _targets.Length; r++) _targets[r] = random.Next(o.LossClasses);
            }
        }

        /// <summary>A fresh optimizer over the shared parameters, reset to their initial values.</summary>
        public Optimizer<T> Create(OptimizerSpec spec, StatePrecision? state = null)
        {
            var optimizer = spec.Create<T>();
            optimizer.MaxDegreeOfParallelism = Threads;
            if (state is { } s) optimizer.StatePrecision = s;
            var parameters = new Parameter<T>[_values.Length];
            for (int t = 0; t < _values.Length; t++)
            {
                _initial[t].CopyTo(_values[t], 0);
                parameters[t] = new Parameter<T>($"p{t}", _values[t], _gradients[t]);
            }
            optimizer.AddGroup(parameters);
            return optimizer;
        }

        /// <summary>A fresh optimizer over one buffer holding every parameter (only with several tensors).</summary>
        public Optimizer<T> CreateOneBuffer(OptimizerSpec spec)
        {
            var optimizer = spec.Create<T>();
            optimizer.MaxDegreeOfParallelism = Threads;
            optimizer.AddGroup(new Parameter<T>("all", _oneValues, _oneGradients));
            return optimizer;
        }

        /// <summary>XxHash64 of the parameters and every state buffer after <paramref name="steps"/> steps from the initial values.</summary>
        public ulong HashOfSteps(OptimizerSpec spec, int steps)
        {
            var optimizer = Create(spec);
            for (int i = 0; i < steps; i++) optimizer.Step();
            var hash = new XxHash64();
            foreach (var v in _values) hash.Append(MemoryMarshal.AsBytes(v.AsSpan()));
            foreach (var state in optimizer.ParameterStates)
                foreach (var buffer in state.Buffers) hash.Append(MemoryMarshal.AsBytes(buffer.Value.AsSpan()));
            return hash.GetCurrentHashAsUInt64();
        }

        public void EvaluateLoss()
        {
            _loss.MaxDegreeOfParallelism = Threads;
            _loss.Evaluate(_logits, _targets, _classes, _lossGradient);
        }

        /// <summary>XxHash64 of the loss value and its gradient.</summary>
        public ulong HashOfLoss()
        {
            _loss.MaxDegreeOfParallelism = Threads;
            Span<T> value = [_loss.Evaluate(_logits, _targets, _classes, _lossGradient)];
            var hash = new XxHash64();
            hash.Append(MemoryMarshal.AsBytes(value));
            hash.Append(MemoryMarshal.AsBytes(_lossGradient.AsSpan()));
            return hash.GetCurrentHashAsUInt64();
        }
    }

    private static int StateBuffersOf<T>(OptimizerSpec spec, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var optimizer = spec.Create<T>();
        optimizer.AddGroup(new Parameter<T>("probe", new T[length], new T[length]));
        return optimizer.ParameterStates.First().Buffers.Count;
    }

    private static double Triad<T>(T[] a, T[] b, int threads, int repeats, int warmup, double warmupSeconds = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateTruncating(0.5);
        WarmUp(() => Bandwidth.Triad<T>(a, b, scale, threads), warmup + 1, warmupSeconds);
        double seconds = MedianSeconds(() => Bandwidth.Triad<T>(a, b, scale, threads), Math.Max(repeats, 5));
        return (double)Bandwidth.TriadBytesPerElement<T>() * a.Length / seconds / 1e9;
    }

    // Median seconds of each action, timed in rounds of one call each, in order.
    private static double[] MedianSecondsRoundRobin(IReadOnlyList<Action> actions, int repeats)
    {
        var times = new double[actions.Count][];
        for (int k = 0; k < actions.Count; k++) times[k] = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            for (int k = 0; k < actions.Count; k++)
            {
                long start = Stopwatch.GetTimestamp();
                actions[k]();
                times[k][i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }
        return times.Select(Median).ToArray();
    }

    private static (double First, double Second) MedianSecondsAlternating(Action first, Action second, int repeats,
        List<double>? allFirst = null, List<double>? allSecond = null)
    {
        var a = new double[repeats];
        var b = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            first();
            a[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            second();
            b[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        allFirst?.AddRange(a);
        allSecond?.AddRange(b);
        return (Median(a), Median(b));
    }

    private static double MedianSeconds(Action action, int repeats, List<double>? all = null)
    {
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        all?.AddRange(times);
        return Median(times);
    }

    /// <summary>Median GB/s of the triad and of the copy over the two arrays.</summary>
    private static (double TriadGbps, double CopyGbps) Reference<T>(T[] a, T[] b, int threads, int repeats, int warmup, double warmupSeconds) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double triad = Triad(a, b, threads, repeats, warmup, warmupSeconds);
        WarmUp(() => Bandwidth.Copy<T>(b, a, threads), warmup + 1, warmupSeconds);
        double copy = (double)Bandwidth.CopyBytesPerElement<T>() * a.Length / MedianSeconds(() => Bandwidth.Copy<T>(b, a, threads), Math.Max(repeats, 5)) / 1e9;
        return (triad, copy);
    }

    private static void WarmUp(Action step, int count, double seconds)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count || (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds && i < 100_000); i++) step();
    }

    private static double Median(IReadOnlyList<double> x)
    {
        var s = x.ToArray();
        Array.Sort(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
