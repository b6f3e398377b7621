using System.Numerics;
using System.Text.Json;
using Descent.Minimizers;
using Descent.Minimizers.TestProblems;

namespace Descent.Parity;

/// <summary>
/// Replays <c>torch.optim.LBFGS</c> cases (<c>"optimizer": "LBFGS"</c>) with <see cref="TorchLbfgs{T}"/>: after each outer
/// step it compares the parameters, the objective at the new parameters and the running evaluation count.
/// </summary>
public static class LbfgsParity
{
    /// <summary>The replayer registered as "optimizer/LBFGS".</summary>
    public static void Replay(JsonElement root, ParityComparer comparer, ParityPrecision precision)
    {
        if (precision == ParityPrecision.Float) Replay<float>(root, comparer);
        else Replay<double>(root, comparer);
    }

    /// <summary>Reads the case's PyTorch options into <see cref="TorchLbfgsOptions"/>.</summary>
    public static TorchLbfgsOptions ReadOptions(JsonElement options)
    {
        int maxIter = (int)GoldenJson.Option(options, "max_iter", 20);
        string lineSearch = GoldenJson.Option(options, "line_search_fn", "none");
        if (lineSearch is not ("none" or "strong_wolfe"))
        {
            throw new NotSupportedException($"line_search_fn '{lineSearch}' (only None and 'strong_wolfe' exist in PyTorch)");
        }
        return new TorchLbfgsOptions
        {
            LearningRate = GoldenJson.Option(options, "lr", 1.0),
            MaxIterations = maxIter,
            MaxEvaluations = (int)GoldenJson.Option(options, "max_eval", maxIter * 5 / 4),
            GradientTolerance = GoldenJson.Option(options, "tolerance_grad", 1e-7),
            ChangeTolerance = GoldenJson.Option(options, "tolerance_change", 1e-9),
            HistorySize = (int)GoldenJson.Option(options, "history_size", 100),
            StrongWolfe = lineSearch == "strong_wolfe",
        };
    }

    private static void Replay<T>(JsonElement root, ParityComparer comparer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string objectiveName = root.GetProperty("objective").GetString() ?? "";
        TestProblem problem = TestProblem.Find(objectiveName)
            ?? throw new NotSupportedException($"unknown objective '{objectiveName}'");
        double[] start = GoldenJson.Flatten(root.GetProperty("params"));
        var x = new T[start.Length];
        for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(start[i]);
        var options = ReadOptions(root.TryGetProperty("options", out var o) ? o : default);
        var optimizer = new TorchLbfgs<T>(x.Length, options);
        ValueAndGradient<T> closure = problem.Evaluate;
        var gradient = new T[x.Length];

        var expected = root.GetProperty("expected");
        var losses = root.TryGetProperty("expected_loss", out var l) ? GoldenJson.Flatten(l) : null;
        var evaluations = root.TryGetProperty("expected_evaluations", out var e) ? GoldenJson.Flatten(e) : null;
        int step = 0;
        foreach (var want in expected.EnumerateArray())
        {
            optimizer.Step(x, closure);
            double[] wantX = GoldenJson.Flatten(want);
            if (wantX.Length != x.Length) throw new FormatException($"step {step}: expected {wantX.Length} values, have {x.Length}");
            int s = step;
            for (int i = 0; i < x.Length; i++)
            {
                int k = i;
                comparer.Compare(double.CreateTruncating(x[i]), wantX[i], () => $"step {s} x[{k}]");
            }
            if (losses is not null)
            {
                double loss = double.CreateTruncating(problem.Evaluate<T>(x, gradient));
                comparer.Compare(loss, losses[step], () => $"step {s} loss");
            }
            if (evaluations is not null && optimizer.FunctionEvaluations != (long)evaluations[step])
            {
                comparer.Mismatch($"step {s} closure evaluations: got {optimizer.FunctionEvaluations}, want {evaluations[s]}");
            }
            step++;
        }
    }
}
