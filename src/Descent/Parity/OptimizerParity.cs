using System.Numerics;
using System.Text.Json;
using Descent.Optimizers;

namespace Descent.Parity;

/// <summary>
/// Replays <c>"kind": "optimizer"</c> reference cases (PyTorch class and keyword options, initial parameters, gradients per
/// step, expected parameters after each step) through <see cref="Optim"/>. Unknown classes or options fail the case.
/// </summary>
public static class OptimizerParity
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "betas", "eps", "amsgrad", "lr_decay",
        "initial_accumulator_value", "alpha", "centered", "rho", "momentum_decay", "foreach", "capturable", "differentiable",
        "etas", "step_sizes", "lambd", "t0",
    };

    /// <summary>The replayer registered in <see cref="ParityRunner"/> for kind "optimizer".</summary>
    public static void Replay(JsonElement root, ParityComparer comparer, ParityPrecision precision)
    {
        if (precision == ParityPrecision.Float) Replay<float>(root, comparer);
        else Replay<double>(root, comparer);
    }

    /// <summary>Builds the optimizer a case describes (PyTorch class name and options).</summary>
    public static Optimizer<T> Create<T>(string pytorchClass, JsonElement options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (options.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in options.EnumerateObject())
                if (!Known.Contains(p.Name)) throw new NotSupportedException($"option '{p.Name}' is not supported");
        }
        double N(string name, double d) => GoldenJson.Option(options, name, d);
        bool B(string name, bool d) => GoldenJson.Option(options, name, d);
        double beta1 = 0.9, beta2 = 0.999;
        if (options.ValueKind == JsonValueKind.Object && options.TryGetProperty("betas", out var betas))
        {
            var b = GoldenJson.Flatten(betas);
            if (b.Length != 2) throw new FormatException("betas must have two elements");
            (beta1, beta2) = (b[0], b[1]);
        }
        bool max = B("maximize", false);
        (double First, double Second) Pair(string name, double first, double second)
        {
            if (options.ValueKind != JsonValueKind.Object || !options.TryGetProperty(name, out var v)) return (first, second);
            var values = GoldenJson.Flatten(v);
            if (values.Length != 2) throw new FormatException($"{name} must have two elements");
            return (values[0], values[1]);
        }
        return pytorchClass switch
        {
            "SGD" => Optim.Sgd<T>(N("lr", 0.01), N("momentum", 0), N("dampening", 0), N("weight_decay", 0), B("nesterov", false), max),
            "Adam" => Optim.Adam<T>(N("lr", 1e-3), beta1, beta2, N("eps", 1e-8), N("weight_decay", 0), B("amsgrad", false), max),
            "AdamW" => Optim.AdamW<T>(N("lr", 1e-3), beta1, beta2, N("eps", 1e-8), N("weight_decay", 1e-2), B("amsgrad", false), max),
            "Adagrad" => Optim.AdaGrad<T>(N("lr", 0.01), N("lr_decay", 0), N("weight_decay", 0), N("initial_accumulator_value", 0), N("eps", 1e-10), max),
            "RMSprop" => Optim.RmsProp<T>(N("lr", 0.01), N("alpha", 0.99), N("eps", 1e-8), N("weight_decay", 0), N("momentum", 0), B("centered", false), max),
            "NAdam" => Optim.NAdam<T>(N("lr", 2e-3), beta1, beta2, N("eps", 1e-8), N("weight_decay", 0), N("momentum_decay", 4e-3), max),
            "RAdam" => Optim.RAdam<T>(N("lr", 1e-3), beta1, beta2, N("eps", 1e-8), N("weight_decay", 0), max),
            "Adadelta" => Optim.Adadelta<T>(N("lr", 1.0), N("rho", 0.9), N("eps", 1e-6), N("weight_decay", 0), max),
            "Adamax" => Optim.Adamax<T>(N("lr", 2e-3), beta1, beta2, N("eps", 1e-8), N("weight_decay", 0), max),
            "Rprop" => Optim.Rprop<T>(N("lr", 0.01), Pair("etas", 0.5, 1.2).First, Pair("etas", 0.5, 1.2).Second, Pair("step_sizes", 1e-6, 50).First,
                Pair("step_sizes", 1e-6, 50).Second, max),
            "SparseAdam" => Optim.SparseAdam<T>(N("lr", 1e-3), beta1, beta2, N("eps", 1e-8), max),
            "ASGD" => Optim.Asgd<T>(N("lr", 0.01), N("lambd", 1e-4), N("alpha", 0.75), N("t0", 1e6), N("weight_decay", 0), max),
            _ => throw new NotSupportedException($"optimizer class '{pytorchClass}' is not supported"),
        };
    }

    private static void Replay<T>(JsonElement root, ParityComparer comparer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string cls = root.GetProperty("optimizer").GetString()!;
        var options = root.TryGetProperty("options", out var o) ? o : default;
        var optimizer = Create<T>(cls, options);
        var shapes = root.GetProperty("shapes");
        var initial = root.GetProperty("params");
        int count = shapes.GetArrayLength();
        var parameters = new Parameter<T>[count];
        for (int k = 0; k < count; k++)
        {
            int[] shape = shapes[k].EnumerateArray().Select(e => e.GetInt32()).ToArray();
            double[] values = GoldenJson.Flatten(initial[k]);
            var value = values.Select(T.CreateTruncating).ToArray();
            parameters[k] = new Parameter<T>($"p{k}", value, new T[value.Length], shape);
        }
        optimizer.AddGroup(parameters);
        var grads = root.GetProperty("grads");
        var expected = root.GetProperty("expected");
        int steps = grads.GetArrayLength();
        if (expected.GetArrayLength() != steps) throw new FormatException("grads and expected have different numbers of steps");
        bool sparse = root.TryGetProperty("sparse_grads", out var sparseGrads);
        for (int t = 0; t < steps; t++)
        {
            for (int k = 0; k < count; k++)
            {
                if (sparse)
                {
                    // row-sparse gradient (SparseAdam traces): row indices, repeats allowed, and one row of values each
                    var entry = sparseGrads[t][k];
                    int[] rows = entry.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                    double[] rowValues = GoldenJson.Flatten(entry.GetProperty("values"));
                    int rowLength = parameters[k].Length / parameters[k].Shape[0];
                    var gradient = parameters[k].SparseGradient ?? new SparseGradient<T>(rowLength);
                    gradient.Set(rows, rowValues.Select(T.CreateTruncating).ToArray());
                    parameters[k].SparseGradient = gradient;
                    continue;
                }
                double[] g = GoldenJson.Flatten(grads[t][k]);
                var span = parameters[k].Gradient.Span;
                if (g.Length != span.Length) throw new FormatException($"gradient {k} of step {t} has length {g.Length}, expected {span.Length}");
                for (int i = 0; i < g.Length; i++) span[i] = T.CreateTruncating(g[i]);
            }
            optimizer.Step();
            for (int k = 0; k < count; k++)
            {
                double[] want = GoldenJson.Flatten(expected[t][k]);
                var got = parameters[k].Value.Span;
                if (want.Length != got.Length) throw new FormatException($"expected {k} of step {t} has length {want.Length}");
                for (int i = 0; i < want.Length; i++)
                {
                    int step = t, param = k, index = i;
                    comparer.Compare(double.CreateTruncating(got[i]), want[i], () => $"step {step + 1}, parameter {param}[{index}]");
                }
            }
        }
    }
}
