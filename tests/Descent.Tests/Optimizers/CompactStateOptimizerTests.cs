using Descent.Numerics;
using Descent.Optimizers;
using Descent.Optimizers.Rules;
using Descent.Serialization;

namespace Descent.Tests.Optimizers;

/// <summary>
/// Optimizers with bfloat16 and block-wise int8 state: the fused compact kernels equal the composed reference (decode,
/// chain of rules, encode) bit for bit; small tensors keep float state; save/load/continue equals an uninterrupted run;
/// precisions convert only when asked; non-finite policies; invalid combinations are rejected; no allocation per step.
/// </summary>
public class CompactStateOptimizerTests
{
    internal static readonly Dictionary<string, Func<Optimizer<float>>> Factories = new()
    {
        ["adamw"] = () => Optim.AdamW<float>(1e-2, weightDecay: 0.05),
        ["adam-l2-maximize"] = () => Optim.Adam<float>(1e-2, weightDecay: 0.01, maximize: true),
        ["adam-eps-inside"] = () => Optim.Adam<float>(1e-2, epsilonPlacement: EpsilonPlacement.InsideSqrt),
        ["sgd-momentum"] = () => Optim.Sgd<float>(0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
        ["sgd-nesterov"] = () => Optim.Sgd<float>(0.05, momentum: 0.9, nesterov: true),
        ["lion"] = () => Optim.Lion<float>(1e-3, weightDecay: 0.1),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Factories.Keys.Order(StringComparer.Ordinal))
            foreach (var precision in new[] { "int8", "bfloat16", "bfloat16-stochastic" }) data.Add(name, precision);
        return data;
    }

    private static Optimizer<float> Make(string name, string precision)
    {
        var o = Factories[name]();
        o.StatePrecision = precision == "int8" ? StatePrecision.Int8 : StatePrecision.BFloat16;
        if (precision.EndsWith("stochastic", StringComparison.Ordinal)) o.StochasticRoundingSeed = 42;
        return o;
    }

    // Lengths around the small-tensor threshold and the block size, one multi-threaded; each an unaligned slice.
    private static readonly int[] Lengths = [0, 5, 257, 4095, 4096, 4097, 2 * 2048 + 300, FusedLoop.ParallelThreshold + 2049];

    private static (Parameter<float>[] Ps, float[][] Grads) Parameters(int seed)
    {
        var random = new Random(seed);
        var ps = new Parameter<float>[Lengths.Length];
        var grads = new float[Lengths.Length][];
        for (int i = 0; i < Lengths.Length; i++)
        {
            int n = Lengths[i], offset = 1 + i % 3;
            var value = new float[n + offset];
            var grad = new float[n + offset];
            for (int j = 0; j < value.Length; j++) value[j] = (float)(random.NextDouble() * 2 - 1);
            grads[i] = grad;
            ps[i] = new Parameter<float>($"p{i}", value.AsMemory(offset, n), grad.AsMemory(offset, n));
        }
        return (ps, grads);
    }

    private static void FillGradients(float[][] grads, int step)
    {
        var random = new Random(1000 + step);
        foreach (var g in grads)
            for (int j = 0; j < g.Length; j++) g[j] = (float)((random.NextDouble() - 0.5) * (j % 7 == 0 ? 1e-3 : 1));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedEqualsComposedReference(string name, string precision)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            {
                var fused = Make(name, precision);
                fused.MaxDegreeOfParallelism = threads;
                var composed = Make(name, precision);
                composed.MaxDegreeOfParallelism = threads;
                composed.UseFusedKernels = false;
                var (pf, gf) = Parameters(7);
                var (pc, gc) = Parameters(7);
                fused.AddGroup(pf);
                composed.AddGroup(pc);
                for (int step = 0; step < 4; step++)
                {
                    FillGradients(gf, step);
                    FillGradients(gc, step);
                    fused.Step();
                    composed.Step();
                }
                for (int i = 0; i < pf.Length; i++)
                    Assert.True(pf[i].Value.Span.SequenceEqual(pc[i].Value.Span), $"{name} {precision} threads {threads}: p{i} (n={pf[i].Length}) differs");
                AssertSameState(fused, composed);
                var states = fused.ParameterStates.ToArray();
                for (int i = 0; i < Lengths.Length; i++)
                {
                    bool compact = Lengths[i] >= BlockwiseQuantization.MinimumLength;
                    Assert.Equal(compact, states[i].CompactBuffers.Count > 0);
                    Assert.Equal(compact ? (precision == "int8" ? StatePrecision.Int8 : StatePrecision.BFloat16) : StatePrecision.Float32, states[i].Precision);
                }
            }
        }
    }

    private static void AssertSameState(Optimizer<float> a, Optimizer<float> b)
    {
        var sa = a.SaveState();
        var sb = b.SaveState();
        for (int i = 0; i < sa.Parameters.Count; i++)
        {
            var x = sa.Parameters[i];
            var y = sb.Parameters[i];
            Assert.Equal(x.Step, y.Step);
            Assert.Equal(x.Buffers.Select(k => k.Key), y.Buffers.Select(k => k.Key));
            for (int k = 0; k < x.Buffers.Count; k++) Assert.True(x.Buffers[k].Value.AsSpan().SequenceEqual(y.Buffers[k].Value), $"{x.Name}.{x.Buffers[k].Key}");
            Assert.Equal(x.CompactBuffers.Count, y.CompactBuffers.Count);
            for (int k = 0; k < x.CompactBuffers.Count; k++)
            {
                var c = x.CompactBuffers[k];
                var d = y.CompactBuffers[k];
                Assert.Equal(c.Name, d.Name);
                Assert.Equal(c.Precision, d.Precision);
                Assert.True(c.BFloat16Bits.AsSpan().SequenceEqual(d.BFloat16Bits), $"{x.Name}.{c.Name} bits");
                Assert.True(c.Codes.AsSpan().SequenceEqual(d.Codes), $"{x.Name}.{c.Name} codes");
                Assert.True(c.AbsMax.AsSpan().SequenceEqual(d.AbsMax), $"{x.Name}.{c.Name} absmax");
            }
        }
    }

    [Theory]
    [InlineData("adamw", "int8")]
    [InlineData("lion", "bfloat16-stochastic")]
    [InlineData("sgd-momentum", "bfloat16")]
    public void SaveLoadContinueEqualsUninterrupted(string name, string precision)
    {
        var whole = Make(name, precision);
        var (pw, gw) = Parameters(3);
        whole.AddGroup(pw);
        var first = Make(name, precision);
        var (p1, g1) = Parameters(3);
        first.AddGroup(p1);
        for (int step = 0; step < 3; step++)
        {
            FillGradients(gw, step); whole.Step();
            FillGradients(g1, step); first.Step();
        }
        var checkpoint = new Checkpoint();
        OptimizerCheckpoint.Save(checkpoint, "optimizer", first);
        using var stream = new MemoryStream();
        CheckpointFile.Write(stream, checkpoint);
        stream.Position = 0;
        var loaded = CheckpointFile.Read(stream);
        // Stored as is: codes as bytes, bfloat16 as 16-bit words (no float upcast).
        string compactName = first.ParameterStates.ToArray()[4].CompactBuffers[0].Name;
        Assert.Equal(precision == "int8" ? CheckpointEntryType.ByteArray : CheckpointEntryType.UInt16Array, loaded.TypeOf($"optimizer/p4/{compactName}"));
        Assert.Equal(precision.StartsWith("int8", StringComparison.Ordinal) ? "int8" : "bfloat16", loaded.GetString($"optimizer/p4/{compactName}/precision"));
        var second = Make(name, precision);
        var (p2, g2) = Parameters(99);
        for (int i = 0; i < p2.Length; i++) p1[i].Value.Span.CopyTo(p2[i].Value.Span);
        second.AddGroup(p2);
        OptimizerCheckpoint.Load(loaded, "optimizer", second);
        for (int step = 3; step < 6; step++)
        {
            FillGradients(gw, step); whole.Step();
            FillGradients(g2, step); second.Step();
        }
        for (int i = 0; i < pw.Length; i++) Assert.True(pw[i].Value.Span.SequenceEqual(p2[i].Value.Span), $"p{i}");
        AssertSameState(whole, second);
    }

    [Fact]
    public void Int8CheckpointsRecordTheirMapAndTreeCodesLoadOnlyWhenConverted()
    {
        var source = Make("adamw", "int8");
        var (pa, ga) = Parameters(6);
        source.AddGroup(pa);
        FillGradients(ga, 0);
        source.Step();
        var checkpoint = new Checkpoint();
        OptimizerCheckpoint.Save(checkpoint, "o", source);
        Assert.All(checkpoint.Keys.Where(k => k.EndsWith("/exp_avg/map", StringComparison.Ordinal)), k => Assert.Equal("e2m5", checkpoint.GetString(k)));
        Assert.All(checkpoint.Keys.Where(k => k.EndsWith("/exp_avg_sq/map", StringComparison.Ordinal)), k => Assert.Equal("e3m5", checkpoint.GetString(k)));
        Assert.NotEmpty(checkpoint.Keys.Where(k => k.EndsWith("/map", StringComparison.Ordinal)));

        // A file of an earlier version: dynamic-tree codes and no map entry (the same values, encoded with the tree).
        var old = new Checkpoint();
        var expected = new Dictionary<string, (byte[] Codes, float[] AbsMax)>();
        foreach (string key in checkpoint.Keys)
        {
            if (key.EndsWith("/map", StringComparison.Ordinal) || key.EndsWith("/absmax", StringComparison.Ordinal)) continue;
            switch (checkpoint.TypeOf(key))
            {
                case CheckpointEntryType.Int64: old.Set(key, checkpoint.GetInt64(key)); break;
                case CheckpointEntryType.Double: old.Set(key, checkpoint.GetDouble(key)); break;
                case CheckpointEntryType.String: old.Set(key, checkpoint.GetString(key)); break;
                case CheckpointEntryType.SingleArray: old.Set(key, checkpoint.GetArray<float>(key)); break;
                case CheckpointEntryType.ByteArray:
                {
                    bool signed = checkpoint.GetInt64(key + "/signed") != 0;
                    var codes = checkpoint.GetArray<byte>(key).ToArray();
                    var absMax = checkpoint.GetArray<float>(key + "/absmax").ToArray();
                    var values = new float[codes.Length];
                    BlockwiseQuantization.Dequantize(codes, absMax, signed ? QuantizationMap.OffsetFloatSigned : QuantizationMap.OffsetFloatUnsigned, values);
                    var treeCodes = new byte[codes.Length];
                    var treeMax = new float[absMax.Length];
                    BlockwiseQuantization.QuantizeReference(values, signed ? QuantizationMap.DynamicSigned : QuantizationMap.DynamicUnsigned, treeCodes, treeMax);
                    old.Set(key, treeCodes);
                    old.Set(key + "/absmax", treeMax);
                    // Converting decodes with the tree and encodes with the current map.
                    var tree = new float[codes.Length];
                    BlockwiseQuantization.Dequantize(treeCodes, treeMax, signed ? QuantizationMap.DynamicSigned : QuantizationMap.DynamicUnsigned, tree);
                    var state = CompactState.ForInt8(new byte[codes.Length], new float[absMax.Length], signed ? QuantizationMap.OffsetFloatSigned : QuantizationMap.OffsetFloatUnsigned);
                    state.QuantizeReference(tree);
                    expected[key] = (state.Codes.ToArray(), state.AbsMax.ToArray());
                    break;
                }
                default: throw new InvalidOperationException($"{key}: {checkpoint.TypeOf(key)}");
            }
        }
        Assert.NotEmpty(expected);

        var target = Make("adamw", "int8");
        target.AddGroup(Parameters(6).Ps);
        var before = target.SaveState();
        var error = Assert.Throws<CheckpointException>(() => OptimizerCheckpoint.Load(old, "o", target));
        Assert.Contains("'dynamic' map", error.Message);
        Assert.Contains("convertStatePrecision", error.Message);
        AssertSameState(target, before);

        OptimizerCheckpoint.Load(old, "o", target, convertStatePrecision: true);
        Assert.Equal(source.StepCount, target.StepCount);
        foreach (var s in target.ParameterStates)
            foreach (var c in s.CompactBuffers)
            {
                var (codes, absMax) = expected[$"o/{s.ParameterName}/{c.Name}"];
                Assert.Equal(codes, c.Codes);
                Assert.Equal(absMax, c.AbsMax);
            }
    }

    [Fact]
    public void PrecisionsConvertOnlyWhenAsked()
    {
        var int8 = Make("adamw", "int8");
        var (pa, ga) = Parameters(5);
        int8.AddGroup(pa);
        FillGradients(ga, 0);
        int8.Step();
        var snapshot = int8.SaveState();
        var bf16 = Make("adamw", "bfloat16");
        bf16.AddGroup(Parameters(5).Ps);
        var before = bf16.SaveState();
        var error = Assert.Throws<ArgumentException>(() => bf16.LoadState(snapshot));
        Assert.Contains("int8 in the snapshot but bfloat16 here", error.Message);
        AssertSameState(bf16, before);
        var checkpoint = new Checkpoint();
        OptimizerCheckpoint.Save(checkpoint, "o", int8);
        Assert.Throws<CheckpointException>(() => OptimizerCheckpoint.Load(checkpoint, "o", bf16));

        // Converting into float32 state decodes exactly the stored values.
        var float32 = Optim.AdamW<float>(1e-2, weightDecay: 0.05);
        float32.AddGroup(Parameters(5).Ps);
        OptimizerCheckpoint.Load(checkpoint, "o", float32, convertStatePrecision: true);
        var compact = int8.ParameterStates.ToArray()[4].CompactBuffers[0];
        var decoded = new float[compact.Length];
        compact.Read(decoded);
        Assert.Equal(decoded, float32.ParameterStates.ToArray()[4].Buffer("exp_avg"));
        // ... and into bfloat16 state rounds the decoded values.
        bf16.LoadState(snapshot, convertStatePrecision: true);
        var bits = bf16.ParameterStates.ToArray()[4].CompactBuffers[0].BFloat16Bits;
        Assert.Equal(decoded.Select(BFloat16.FromSingle).ToArray(), bits);
        Assert.Equal(int8.StepCount, bf16.StepCount);

    }

    [Fact]
    public void StateBytesAreFourTimesSmallerInInt8()
    {
        const int n = 1 << 20;
        long Bytes(StatePrecision precision)
        {
            var o = Optim.AdamW<float>();
            o.StatePrecision = precision;
            o.AddGroup(new Parameter<float>("w", new float[n], new float[n]));
            return o.StateByteCount;
        }
        Assert.Equal(8L * n, Bytes(StatePrecision.Float32));
        Assert.Equal(4L * n, Bytes(StatePrecision.BFloat16));
        long int8 = Bytes(StatePrecision.Int8);
        Assert.Equal(2L * n + 2 * 4 * (n / 2048), int8);
        Assert.True(8.0 * n / int8 > 3.98);
    }

    [Theory]
    [InlineData(NonFinitePolicy.Propagate)]
    [InlineData(NonFinitePolicy.ZeroNonFinite)]
    [InlineData(NonFinitePolicy.SkipStep)]
    [InlineData(NonFinitePolicy.Throw)]
    public void NonFinitePolicies(NonFinitePolicy policy)
    {
        foreach (var precision in new[] { "int8", "bfloat16" })
        {
            var o = Make("adamw", precision);
            o.NonFinitePolicy = policy;
            var (ps, gs) = Parameters(11);
            o.AddGroup(ps);
            FillGradients(gs, 0);
            o.Step();
            var before = o.SaveState();
            FillGradients(gs, 1);
            int at = 1 + 4 % 3 + 3000; // element 3000 of p4 (4096 elements: one full block and one partial)
            gs[4][at] = float.NaN;
            if (policy == NonFinitePolicy.Throw)
            {
                Assert.Throws<ArithmeticException>(() => o.Step());
                AssertSameState(o, before);
                continue;
            }
            o.Step();
            var state = o.ParameterStates.ToArray()[4];
            var m = new float[state.Length];
            state.CompactBuffers[0].Read(m);
            if (policy == NonFinitePolicy.Propagate)
            {
                // The NaN poisons its element (bfloat16) or its block (int8), and nothing else.
                Assert.True(float.IsNaN(m[3000]));
                Assert.Equal(precision == "int8" ? 4096 - 2048 : 1, m.Count(float.IsNaN));
            }
            else
            {
                Assert.All(m, v => Assert.True(float.IsFinite(v)));
                if (policy == NonFinitePolicy.SkipStep) AssertSameState(o, before);
            }
        }
    }

    [Fact]
    public void TextFormSetsTheStatePrecision()
    {
        var adamw = OptimizerCatalog.Create<float>("adamw(lr=3e-3, state=int8)");
        Assert.Equal(StatePrecision.Int8, adamw.StatePrecision);
        Assert.Equal(StatePrecision.BFloat16, OptimizerCatalog.Create<float>("lion(state=bfloat16)").StatePrecision);
        Assert.Equal(StatePrecision.Int8, OptimizerCatalog.Create<float>("momentum(lr=0.1, state=int8)").StatePrecision);
        Assert.Equal(StatePrecision.Float32, OptimizerCatalog.Create<float>("adam()").StatePrecision);
        var spec = OptimizerCatalog.Parse("adamw(lr=3e-3, state=int8)");
        Assert.Contains("state=int8", spec.ToString());
        Assert.Equal(spec, OptimizerCatalog.Parse(spec.ToString()));
        Assert.Contains("float parameters", Assert.ThrowsAny<Exception>(() => OptimizerCatalog.Create<double>("adamw(state=int8)")).Message);
        Assert.ThrowsAny<Exception>(() => OptimizerCatalog.Parse("adamw(state=int4)"));
    }

    [Fact]
    public void StochasticRoundingTextFormIsReproducibleAndThreadIndependent()
    {
        var spec = OptimizerCatalog.Parse("adamw(lr=1e-2, state=bfloat16_stochastic)");
        Assert.Equal(spec, OptimizerCatalog.Parse(spec.ToString()));
        Assert.Contains("state=bfloat16_stochastic", spec.ToString());
        Optimizer<float> Run(string text, int threads, bool fused)
        {
            var o = OptimizerCatalog.Create<float>(text);
            o.MaxDegreeOfParallelism = threads;
            o.UseFusedKernels = fused;
            var (ps, grads) = Parameters(11);
            o.AddGroup(ps);
            for (int step = 0; step < 3; step++)
            {
                FillGradients(grads, step);
                o.Step();
            }
            return o;
        }
        var a = Run("adamw(lr=1e-2, state=bfloat16_stochastic)", 1, true);
        Assert.Equal(StatePrecision.BFloat16, a.StatePrecision);
        Assert.Equal(0UL, a.StochasticRoundingSeed);
        // Same text, other thread count, and the composed reference: the same bits.
        AssertSameState(a, Run("adamw(lr=1e-2, state=bfloat16_stochastic)", 2, true));
        AssertSameState(a, Run("adamw(lr=1e-2, state=bfloat16_stochastic)", 2, false));
        // Round to nearest gives other bits (the option does something).
        var nearest = Run("adamw(lr=1e-2, state=bfloat16)", 1, true);
        Assert.Null(nearest.StochasticRoundingSeed);
        var bitsA = a.SaveState().Parameters.SelectMany(p => p.CompactBuffers).SelectMany(c => c.BFloat16Bits).ToArray();
        var bitsN = nearest.SaveState().Parameters.SelectMany(p => p.CompactBuffers).SelectMany(c => c.BFloat16Bits).ToArray();
        Assert.Equal(bitsA.Length, bitsN.Length);
        Assert.True(bitsA.Length > 0);
        Assert.False(bitsA.AsSpan().SequenceEqual(bitsN));
    }

    [Fact]
    public void InvalidCombinationsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Optim.AdamW<double>().StatePrecision = StatePrecision.Int8);
        Assert.Contains("amsgrad", Assert.Throws<ArgumentException>(() => Optim.AdamW<float>(amsgrad: true).StatePrecision = StatePrecision.BFloat16).Message);
        Assert.Throws<ArgumentException>(() => Optim.Lamb<float>().StatePrecision = StatePrecision.Int8);
        Assert.Throws<ArgumentException>(() => Optim.Sgd<float>(0.1).AddGroup(StatePrecision.Int8, new Parameter<float>("w", new float[8], new float[8])));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optim.AdamW<float>().StatePrecision = (StatePrecision)7);
        // Float32 is always accepted.
        Optim.AdamW<double>().StatePrecision = StatePrecision.Float32;
    }

    [Theory]
    [InlineData("adamw", "int8")]
    [InlineData("lion", "bfloat16-stochastic")]
    [InlineData("sgd-momentum", "int8")]
    public void StepsAllocateNothing(string name, string precision)
    {
        {
            var o = Make(name, precision);
            o.MaxDegreeOfParallelism = 2;
            int[] lengths = [FusedLoop.ParallelThreshold + 4099, .. Enumerable.Repeat(5000, 20), 100];
            o.AddGroup(lengths.Select((n, i) => new Parameter<float>($"p{i}", new float[n], Enumerable.Repeat(0.01f, n).ToArray())).ToArray());
            o.Step();
            o.Step();
            long allocated = long.MaxValue;
            for (int window = 0; window < 4 && allocated != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 3; i++) o.Step();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
        }
    }

    private static void AssertSameState(Optimizer<float> o, OptimizerSnapshot<float> s)
    {
        var now = o.SaveState();
        Assert.Equal(s.StepCount, now.StepCount);
        for (int i = 0; i < s.Parameters.Count; i++)
        {
            for (int k = 0; k < s.Parameters[i].Buffers.Count; k++) Assert.Equal(s.Parameters[i].Buffers[k].Value, now.Parameters[i].Buffers[k].Value);
            for (int k = 0; k < s.Parameters[i].CompactBuffers.Count; k++)
            {
                Assert.Equal(s.Parameters[i].CompactBuffers[k].BFloat16Bits, now.Parameters[i].CompactBuffers[k].BFloat16Bits);
                Assert.Equal(s.Parameters[i].CompactBuffers[k].Codes, now.Parameters[i].CompactBuffers[k].Codes);
                Assert.Equal(s.Parameters[i].CompactBuffers[k].AbsMax, now.Parameters[i].CompactBuffers[k].AbsMax);
            }
        }
    }
}
