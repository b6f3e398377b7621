using System.Numerics;
using System.Text.Json;
using Descent.Losses;

namespace Descent.Parity;

/// <summary>
/// Replays <c>"kind": "loss"</c> cases (golden README): builds the loss named by the PyTorch class (or the descriptive
/// name) from its options, evaluates it on <c>input</c>/<c>target</c> and compares the value and the gradient.
/// </summary>
public static class LossParity
{
    /// <summary>The replayer registered in <see cref="ParityRunner"/> for kind "loss".</summary>
    public static void Replay(JsonElement root, ParityComparer comparer, ParityPrecision precision)
    {
        if (precision == ParityPrecision.Float) Replay<float>(root, comparer);
        else Replay<double>(root, comparer);
    }

    private static void Replay<T>(JsonElement root, ParityComparer comparer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = root.GetProperty("loss").GetString()!;
        JsonElement options = root.TryGetProperty("options", out var o) ? o : default;
        var inputElement = root.GetProperty("input");
        int[] shape = GoldenJson.Shape(inputElement);
        T[] input = Cast<T>(GoldenJson.Flatten(inputElement));
        JsonElement targetElement = root.TryGetProperty("target", out var t) ? t : default;
        bool hasTarget = targetElement.ValueKind is JsonValueKind.Array or JsonValueKind.Number;
        double[] targetValues = hasTarget ? GoldenJson.Flatten(targetElement) : [];
        T[] target = Cast<T>(targetValues);
        int[] classTargets = targetValues.Select(v => checked((int)v)).ToArray();
        string reductionName = GoldenJson.Option(options, "reduction", "mean");
        Reduction reduction = reductionName switch
        {
            "mean" => Reduction.Mean,
            "sum" => Reduction.Sum,
            "none" => Reduction.None,
            "batchmean" when name == "KLDivLoss" => Reduction.Mean,
            _ => throw new NotSupportedException($"reduction '{reductionName}' is not supported for {name}"),
        };
        var gradient = new T[input.Length];
        int rows = shape.Length > 0 ? shape[0] : 1;
        int columns = shape.Length > 1 ? input.Length / rows : 1;
        var losses = new T[reduction == Reduction.None ? NoneLength(name, shape, input.Length) : 0];
        T[] weight = Cast<T>(ListOption(options, "weight"));
        T value;
        switch (name)
        {
            case "MSELoss": value = new MeanSquaredError<T>(reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "L1Loss": value = new MeanAbsoluteError<T>(reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "HuberLoss": value = new Huber<T>(GoldenJson.Option(options, "delta", 1.0), reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "SmoothL1Loss": value = new SmoothL1<T>(GoldenJson.Option(options, "beta", 1.0), reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "LogCoshLoss": value = new LogCosh<T>(reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "QuantileLoss": value = new Quantile<T>(GoldenJson.Option(options, "tau", 0.5), reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "BCELoss": value = new BinaryCrossEntropy<T>(reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "BCEWithLogitsLoss":
                value = new BinaryCrossEntropyWithLogits<T>(reduction, weight, Cast<T>(ListOption(options, "pos_weight"))).Evaluate(input, target, gradient, losses);
                break;
            case "SoftMarginLoss": value = new SoftMargin<T>(reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "Hinge": value = new Hinge<T>(GoldenJson.Option(options, "squared", false), reduction, weight).Evaluate(input, target, gradient, losses); break;
            case "SigmoidFocalLoss":
                value = new SigmoidFocal<T>(GoldenJson.Option(options, "alpha", 0.25), GoldenJson.Option(options, "gamma", 2.0), reduction, weight)
                    .Evaluate(input, target, gradient, losses);
                break;
            case "CrossEntropyLoss":
            {
                var loss = new SoftmaxCrossEntropy<T>(reduction, weight, (int)GoldenJson.Option(options, "ignore_index", -100.0),
                    GoldenJson.Option(options, "label_smoothing", 0.0));
                value = GoldenJson.Option(options, "target_kind", "indices") == "probabilities"
                    ? loss.Evaluate(input, target, columns, gradient, losses)
                    : loss.Evaluate(input, classTargets, columns, gradient, losses);
                break;
            }
            case "NLLLoss":
                value = new NegativeLogLikelihood<T>(reduction, weight, (int)GoldenJson.Option(options, "ignore_index", -100.0))
                    .Evaluate(input, classTargets, columns, gradient, losses);
                break;
            case "MultiMarginLoss":
                value = new MultiMargin<T>(GoldenJson.Option(options, "margin", 1.0), (int)GoldenJson.Option(options, "p", 1.0), reduction, weight)
                    .Evaluate(input, classTargets, columns, gradient, losses);
                break;
            case "SoftmaxFocalLoss":
                value = new SoftmaxFocal<T>(GoldenJson.Option(options, "gamma", 2.0), reduction, weight).Evaluate(input, classTargets, columns, gradient, losses);
                break;
            case "KLDivLoss":
            {
                if (GoldenJson.Option(options, "log_target", false)) throw new NotSupportedException("KLDivLoss with log_target=True");
                var kl = reductionName switch { "batchmean" => KLReduction.BatchMean, "sum" => KLReduction.Sum, "none" => KLReduction.None, _ => KLReduction.Mean };
                value = new KullbackLeibler<T>(kl).Evaluate(input, target, rows, gradient, losses);
                break;
            }
            case "ContrastiveLoss":
            case "CosineEmbeddingLoss":
            {
                int half = input.Length / 2;
                int dimension = shape[^1];
                var g1 = gradient.AsSpan(0, half);
                var g2 = gradient.AsSpan(half);
                value = name == "ContrastiveLoss"
                    ? new Contrastive<T>(GoldenJson.Option(options, "margin", 1.0), GoldenJson.Option(options, "distance_eps", 1e-12), reduction)
                        .Evaluate(input.AsSpan(0, half), input.AsSpan(half), target, dimension, g1, g2, losses)
                    : new CosineEmbedding<T>(GoldenJson.Option(options, "margin", 0.0), reduction)
                        .Evaluate(input.AsSpan(0, half), input.AsSpan(half), target, dimension, g1, g2, losses);
                break;
            }
            case "TripletMarginLoss":
            {
                int third = input.Length / 3;
                int dimension = shape[^1];
                value = new TripletMargin<T>(GoldenJson.Option(options, "margin", 1.0), GoldenJson.Option(options, "p", 2.0),
                        GoldenJson.Option(options, "eps", 1e-6), GoldenJson.Option(options, "swap", false), reduction)
                    .Evaluate(input.AsSpan(0, third), input.AsSpan(third, third), input.AsSpan(2 * third), dimension,
                        gradient.AsSpan(0, third), gradient.AsSpan(third, third), gradient.AsSpan(2 * third), losses);
                break;
            }
            case "PoissonNLLLoss":
                value = new PoissonNegativeLogLikelihood<T>(GoldenJson.Option(options, "log_input", true), GoldenJson.Option(options, "full", false),
                    GoldenJson.Option(options, "eps", 1e-8), reduction).Evaluate(input, target, gradient, losses);
                break;
            case "HingeEmbeddingLoss":
                value = new HingeEmbedding<T>(GoldenJson.Option(options, "margin", 1.0), reduction).Evaluate(input, target, gradient, losses);
                break;
            case "GaussianNLLLoss":
            case "MarginRankingLoss":
            {
                int half = input.Length / 2;
                value = name == "GaussianNLLLoss"
                    ? new GaussianNegativeLogLikelihood<T>(GoldenJson.Option(options, "full", false), GoldenJson.Option(options, "eps", 1e-6), reduction)
                        .Evaluate(input.AsSpan(0, half), input.AsSpan(half), target, gradient.AsSpan(0, half), gradient.AsSpan(half), losses)
                    : new MarginRanking<T>(GoldenJson.Option(options, "margin", 0.0), reduction)
                        .Evaluate(input.AsSpan(0, half), input.AsSpan(half), target, gradient.AsSpan(0, half), gradient.AsSpan(half), losses);
                break;
            }
            case "MultiLabelSoftMarginLoss":
                value = new MultiLabelSoftMargin<T>(reduction, weight).Evaluate(input, target, columns, gradient, losses);
                break;
            case "MultiLabelMarginLoss":
                value = new MultiLabelMargin<T>(reduction).Evaluate(input, classTargets, columns, gradient, losses);
                break;
            case "TripletMarginWithDistanceLoss":
            {
                int third = input.Length / 3;
                int dimension = shape[^1];
                string distanceName = GoldenJson.Option(options, "distance", "pairwise");
                IDistance<T> distance = distanceName switch
                {
                    "pairwise" => new PairwiseDistance<T>(),
                    "cosine" => new CosineDistance<T>(),
                    _ => throw new NotSupportedException($"distance '{distanceName}'"),
                };
                value = new TripletMarginWithDistance<T>(distance, GoldenJson.Option(options, "margin", 1.0), GoldenJson.Option(options, "swap", false), reduction)
                    .Evaluate(input.AsSpan(0, third), input.AsSpan(third, third), input.AsSpan(2 * third), dimension,
                        gradient.AsSpan(0, third), gradient.AsSpan(third, third), gradient.AsSpan(2 * third), losses);
                break;
            }
            case "CTCLoss":
            {
                int[] inputLengths = ListOption(options, "input_lengths").Select(v => checked((int)v)).ToArray();
                int[] targetLengths = ListOption(options, "target_lengths").Select(v => checked((int)v)).ToArray();
                value = new ConnectionistTemporalClassification<T>((int)GoldenJson.Option(options, "blank", 0.0), reduction,
                        GoldenJson.Option(options, "zero_infinity", false))
                    .Evaluate(input, shape[^1], classTargets, inputLengths, targetLengths, gradient, losses);
                break;
            }
            case "L1Regularization": value = ElasticNet<T>.L1(GoldenJson.Option(options, "lambda", 0.0)).Evaluate(input, gradient); break;
            case "L2Regularization": value = ElasticNet<T>.L2(GoldenJson.Option(options, "lambda", 0.0)).Evaluate(input, gradient); break;
            case "ElasticNetRegularization":
                value = new ElasticNet<T>(GoldenJson.Option(options, "lambda1", 0.0), GoldenJson.Option(options, "lambda2", 0.0)).Evaluate(input, gradient);
                break;
            default:
                throw new NotSupportedException($"unknown loss '{name}'");
        }

        var expectedValue = root.GetProperty("expected_value");
        if (reduction == Reduction.None && expectedValue.ValueKind == JsonValueKind.Array)
        {
            double[] want = GoldenJson.Flatten(expectedValue);
            if (want.Length != losses.Length) throw new FormatException($"expected_value has {want.Length} values, the loss gave {losses.Length}");
            for (int i = 0; i < want.Length; i++)
            {
                int index = i;
                comparer.Compare(double.CreateTruncating(losses[i]), want[i], () => $"value[{index}]");
            }
        }
        else
        {
            comparer.Compare(double.CreateTruncating(value), expectedValue.GetDouble(), () => "value");
        }
        double[] wantGradient = GoldenJson.Flatten(root.GetProperty("expected_grad"));
        if (wantGradient.Length != gradient.Length) throw new FormatException($"expected_grad has {wantGradient.Length} values, the input {gradient.Length}");
        for (int i = 0; i < wantGradient.Length; i++)
        {
            int index = i;
            comparer.Compare(double.CreateTruncating(gradient[i]), wantGradient[i], () => $"grad[{index}]");
        }
    }

    // The number of per-element losses PyTorch's reduction 'none' returns for an input of this shape.
    private static int NoneLength(string name, int[] shape, int length) => name switch
    {
        "GaussianNLLLoss" or "MarginRankingLoss" => length / 2,
        "CTCLoss" => shape[1],
        "TripletMarginWithDistanceLoss" => shape[1],
        "MultiLabelSoftMarginLoss" or "MultiLabelMarginLoss" => shape[0],
        _ => shape.Length > 1 && IsRowWise(name) ? shape[0] : length,
    };

    private static bool IsRowWise(string name) => name is "CrossEntropyLoss" or "NLLLoss" or "MultiMarginLoss" or "SoftmaxFocalLoss"
        or "ContrastiveLoss" or "CosineEmbeddingLoss" or "TripletMarginLoss";

    private static double[] ListOption(JsonElement options, string name)
        => options.ValueKind == JsonValueKind.Object && options.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.Array or JsonValueKind.Number
            ? GoldenJson.Flatten(v) : [];

    private static T[] Cast<T>(double[] values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = T.CreateTruncating(values[i]);
        return result;
    }
}
