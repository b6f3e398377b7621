using Descent.Lab.Data;
using Descent.Numerics;

namespace Descent.Lab.Models;

/// <summary>
/// One named parameter tensor of a model: a slice of the model's flat value and gradient buffers.
/// </summary>
/// <param name="Name">"W1", "b1", "W2", … (1-based layer number).</param>
/// <param name="Shape">[out, in] for weights, [out] for biases (PyTorch's nn.Linear layout).</param>
/// <param name="Offset">Start in <see cref="Mlp.Values"/> / <see cref="Mlp.Gradients"/>.</param>
/// <param name="Value">The values (a view of <see cref="Mlp.Values"/>).</param>
/// <param name="Gradient">The gradient (a view of <see cref="Mlp.Gradients"/>).</param>
public sealed record Parameter(string Name, int[] Shape, int Offset, Memory<float> Value, Memory<float> Gradient)
{
    /// <summary>Number of elements.</summary>
    public int Length => Value.Length;
}

/// <summary>
/// A multilayer perceptron of dense layers with ReLU between them (none after the last), float, with exact
/// backpropagation. Layer <c>l</c> computes <c>Z = A·Wₗᵀ + bₗ</c> with <c>Wₗ</c> stored <c>[out × in]</c>.
/// </summary>
/// <remarks>
/// All parameters live in one flat array <see cref="Values"/> (gradients in <see cref="Gradients"/>, same layout), in the
/// order W1, b1, W2, b2, …, so an optimizer can update the whole model as one span, or per <see cref="Parameters"/>.
/// Activations are preallocated for <see cref="MaxBatchSize"/> rows; <see cref="Forward"/> and <see cref="Backward"/> allocate
/// nothing themselves. Initialisation: He (Kaiming) normal weights, <c>N(0, 2 / fan_in)</c> (He et al., 2015,
/// "Delving deep into rectifiers"), zero biases; note PyTorch's nn.Linear default is a uniform Kaiming variant instead.
/// </remarks>
public sealed class Mlp
{
    private readonly int[] _sizes;
    private readonly float[][] _activations; // _activations[l]: output of layer l (l ≥ 1), [MaxBatchSize × sizes[l]]
    private readonly float[][] _deltas;      // gradient w.r.t. the pre-activation (and post) of layer l
    private float[] _input = [];
    private int _inputOffset;
    private int _batch;

    /// <summary>Threads of the matrix products (default <see cref="Descent.Numerics.Parallelism.ProcessDefault"/>); results do not depend on it.</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = Descent.Numerics.Parallelism.Validate(value, nameof(MaxDegreeOfParallelism));
    }

    private int _maxDegreeOfParallelism = Descent.Numerics.Parallelism.ProcessDefault;

    /// <summary>Creates an MLP with the given layer sizes (e.g. [784, 256, 10]).</summary>
    /// <param name="layerSizes">Input size, hidden sizes, output size (at least two entries, each ≥ 1).</param>
    /// <param name="maxBatchSize">Largest batch <see cref="Forward"/> accepts (≥ 1).</param>
    /// <param name="seed">Initialisation seed.</param>
    public Mlp(IReadOnlyList<int> layerSizes, int maxBatchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Count < 2) throw new ArgumentException("Give at least an input and an output size.", nameof(layerSizes));
        foreach (int s in layerSizes) ArgumentOutOfRangeException.ThrowIfLessThan(s, 1, nameof(layerSizes));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _sizes = layerSizes.ToArray();
        MaxBatchSize = maxBatchSize;
        long total = 0;
        for (int l = 1; l < _sizes.Length; l++) total += (long)_sizes[l] * _sizes[l - 1] + _sizes[l];
        if (total > Array.MaxLength) throw new ArgumentException("The model is too large.", nameof(layerSizes));
        Values = new float[total];
        Gradients = new float[total];
        var parameters = new List<Parameter>();
        int offset = 0;
        for (int l = 1; l < _sizes.Length; l++)
        {
            int w = _sizes[l] * _sizes[l - 1];
            parameters.Add(new Parameter($"W{l}", [_sizes[l], _sizes[l - 1]], offset, Values.AsMemory(offset, w), Gradients.AsMemory(offset, w)));
            offset += w;
            parameters.Add(new Parameter($"b{l}", [_sizes[l]], offset, Values.AsMemory(offset, _sizes[l]), Gradients.AsMemory(offset, _sizes[l])));
            offset += _sizes[l];
        }
        Parameters = parameters;
        _activations = new float[_sizes.Length][];
        _deltas = new float[_sizes.Length][];
        for (int l = 1; l < _sizes.Length; l++)
        {
            _activations[l] = new float[maxBatchSize * _sizes[l]];
            _deltas[l] = new float[maxBatchSize * _sizes[l]];
        }
        Initialize(seed);
    }

    /// <summary>The layer sizes.</summary>
    public IReadOnlyList<int> LayerSizes => _sizes;

    /// <summary>Inputs per sample.</summary>
    public int InputSize => _sizes[0];

    /// <summary>Outputs (logits) per sample.</summary>
    public int OutputSize => _sizes[^1];

    /// <summary>Largest batch size.</summary>
    public int MaxBatchSize { get; }

    /// <summary>All parameter values, flat (W1, b1, W2, b2, …).</summary>
    public float[] Values { get; }

    /// <summary>All parameter gradients, same layout as <see cref="Values"/>; filled by <see cref="Backward"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>The named parameter views.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Parameter <paramref name="name"/> ("W1", "b2", …).</summary>
    public Parameter this[string name] => Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"No parameter '{name}'; the model has {string.Join(", ", Parameters.Select(p => p.Name))}.");

    /// <summary>Re-initialises the parameters (He normal weights, zero biases) from <paramref name="seed"/>.</summary>
    public void Initialize(ulong seed)
    {
        var random = new SeededRandom(seed);
        foreach (var p in Parameters)
        {
            Span<float> v = p.Value.Span;
            if (p.Shape.Length == 1)
            {
                v.Clear();
                continue;
            }
            double std = Math.Sqrt(2.0 / p.Shape[1]);
            for (int i = 0; i < v.Length; i++) v[i] = (float)(std * random.NextGaussian());
        }
    }

    /// <summary>
    /// Computes the logits of a batch: <paramref name="input"/> is row-major <c>batchSize × InputSize</c>. The returned span
    /// (<c>batchSize × OutputSize</c>) is valid until the next call; the batch is kept for <see cref="Backward"/>.
    /// </summary>
    public ReadOnlySpan<float> Forward(float[] input, int batchSize) => Forward(input, 0, batchSize);

    /// <summary>As <see cref="Forward(float[], int)"/>, for the rows starting at element <paramref name="offset"/> of <paramref name="input"/>.</summary>
    public ReadOnlySpan<float> Forward(float[] input, int offset, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (input.Length - offset < (long)batchSize * InputSize)
        {
            throw new ArgumentException($"The input needs {(long)batchSize * InputSize} elements from offset {offset} but has {input.Length - offset}.", nameof(input));
        }
        _input = input;
        _inputOffset = offset;
        _batch = batchSize;
        for (int l = 1; l < _sizes.Length; l++)
        {
            int fanIn = _sizes[l - 1], fanOut = _sizes[l];
            ReadOnlySpan<float> a = l == 1 ? input.AsSpan(offset, batchSize * fanIn) : _activations[l - 1].AsSpan(0, batchSize * fanIn);
            Span<float> z = _activations[l].AsSpan(0, batchSize * fanOut);
            MatrixMultiply.MultiplyTransposeB<float>(a, Weight(l, Values), z, batchSize, fanIn, fanOut, _maxDegreeOfParallelism);
            Activations.AddBiasToRows(z, Bias(l, Values), batchSize, fanOut);
            if (l < _sizes.Length - 1) Activations.ReluInPlace(z);
        }
        return _activations[^1].AsSpan(0, batchSize * OutputSize);
    }

    /// <summary>
    /// Backpropagates <paramref name="outputGradient"/> (dLoss/dLogits for the last <see cref="Forward"/> batch,
    /// <c>batchSize × OutputSize</c>) and OVERWRITES <see cref="Gradients"/> with dLoss/dθ.
    /// </summary>
    public void Backward(ReadOnlySpan<float> outputGradient)
    {
        if (_batch == 0) throw new InvalidOperationException("Call Forward before Backward.");
        int batch = _batch;
        if (outputGradient.Length != batch * OutputSize)
        {
            throw new ArgumentException($"The output gradient needs {batch * OutputSize} elements ({batch}×{OutputSize}) but has {outputGradient.Length}.", nameof(outputGradient));
        }
        int last = _sizes.Length - 1;
        outputGradient.CopyTo(_deltas[last]);
        for (int l = last; l >= 1; l--)
        {
            int fanIn = _sizes[l - 1], fanOut = _sizes[l];
            ReadOnlySpan<float> delta = _deltas[l].AsSpan(0, batch * fanOut);
            ReadOnlySpan<float> a = l == 1 ? _input.AsSpan(_inputOffset, batch * fanIn) : _activations[l - 1].AsSpan(0, batch * fanIn);
            // dW = deltaᵀ · A  ([out × batch] · [batch × in]); db = column sums of delta.
            MatrixMultiply.MultiplyTransposeA<float>(delta, a, Weight(l, Gradients), fanOut, batch, fanIn, _maxDegreeOfParallelism);
            Activations.SumRows(delta, Bias(l, Gradients), batch, fanOut);
            if (l > 1)
            {
                Span<float> previous = _deltas[l - 1].AsSpan(0, batch * fanIn);
                MatrixMultiply.Multiply<float>(delta, Weight(l, Values), previous, batch, fanOut, fanIn, _maxDegreeOfParallelism);
                Activations.ReluBackwardInPlace(previous, _activations[l - 1].AsSpan(0, batch * fanIn));
            }
        }
    }

    /// <summary>
    /// The squared L2 norm of each example's gradient over all parameters for the last <see cref="Forward"/> batch, given the
    /// per-example output gradients <paramref name="outputGradient"/> (dLoss_e/dLogits_e, <c>batchSize × OutputSize</c>, i.e. a
    /// sum-reduced loss), without forming the per-example gradients: example e's gradient of layer l is
    /// <c>δₗₑ·aₗ₋₁ₑᵀ</c> (weights) and <c>δₗₑ</c> (bias), so its squared norm is <c>‖δₗₑ‖²(‖aₗ₋₁ₑ‖² + 1)</c>, summed over layers
    /// (Goodfellow 2015, "Efficient per-example gradient computations"). Leaves <see cref="Gradients"/> untouched; a following
    /// <see cref="Backward"/> with each row of the output gradient scaled by a factor gives the sum of the scaled per-example
    /// gradients (each example's gradient is linear in its own output gradient row), which is how per-example clipping
    /// (DP-SGD) runs at the cost of one extra backward of the deltas.
    /// </summary>
    public void PerExampleSquaredGradientNorms(ReadOnlySpan<float> outputGradient, Span<double> squaredNorms)
    {
        int batch = BackpropagateDeltas(outputGradient);
        if (squaredNorms.Length < batch) throw new ArgumentException($"The norm buffer needs {batch} elements but has {squaredNorms.Length}.", nameof(squaredNorms));
        for (int e = 0; e < batch; e++)
        {
            double total = 0;
            for (int l = 1; l < _sizes.Length; l++)
            {
                int fanIn = _sizes[l - 1], fanOut = _sizes[l];
                double delta = SquaredNorm(_deltas[l].AsSpan(e * fanOut, fanOut));
                double input = SquaredNorm(LayerInput(l, batch).Slice(e * fanIn, fanIn));
                total += delta * (input + 1);
            }
            squaredNorms[e] = total;
        }
    }

    /// <summary>
    /// Writes each example's full parameter gradient for the last <see cref="Forward"/> batch into <paramref name="destination"/>
    /// (<c>batchSize × Values.Length</c>, each row in the layout of <see cref="Values"/>), given the per-example output gradients
    /// (as <see cref="PerExampleSquaredGradientNorms"/>). Row e equals what <see cref="Backward"/> gives for a batch of example e
    /// alone. Leaves <see cref="Gradients"/> untouched. Memory grows with batch × parameters: meant for checks and small models.
    /// </summary>
    public void PerExampleGradients(ReadOnlySpan<float> outputGradient, Span<float> destination)
    {
        int batch = BackpropagateDeltas(outputGradient);
        int length = Values.Length;
        if (destination.Length < (long)batch * length) throw new ArgumentException($"The destination needs {(long)batch * length} elements but has {destination.Length}.", nameof(destination));
        for (int e = 0; e < batch; e++)
        {
            Span<float> row = destination.Slice(e * length, length);
            for (int l = 1; l < _sizes.Length; l++)
            {
                int fanIn = _sizes[l - 1], fanOut = _sizes[l];
                ReadOnlySpan<float> delta = _deltas[l].AsSpan(e * fanOut, fanOut);
                ReadOnlySpan<float> a = LayerInput(l, batch).Slice(e * fanIn, fanIn);
                Parameter w = Parameters[2 * (l - 1)], b = Parameters[2 * (l - 1) + 1];
                Span<float> dw = row.Slice(w.Offset, w.Length);
                for (int o = 0; o < fanOut; o++)
                {
                    float d = delta[o];
                    Span<float> target = dw.Slice(o * fanIn, fanIn);
                    for (int i = 0; i < fanIn; i++) target[i] = d * a[i];
                }
                delta.CopyTo(row.Slice(b.Offset, b.Length));
            }
        }
    }

    /// <summary>The deltas of every layer for <paramref name="outputGradient"/> (as <see cref="Backward"/>, without the parameter gradients); returns the batch size.</summary>
    private int BackpropagateDeltas(ReadOnlySpan<float> outputGradient)
    {
        if (_batch == 0) throw new InvalidOperationException("Call Forward before asking for per-example gradients.");
        int batch = _batch;
        if (outputGradient.Length != batch * OutputSize)
        {
            throw new ArgumentException($"The output gradient needs {batch * OutputSize} elements ({batch}×{OutputSize}) but has {outputGradient.Length}.", nameof(outputGradient));
        }
        int last = _sizes.Length - 1;
        outputGradient.CopyTo(_deltas[last]);
        for (int l = last; l > 1; l--)
        {
            int fanIn = _sizes[l - 1], fanOut = _sizes[l];
            Span<float> previous = _deltas[l - 1].AsSpan(0, batch * fanIn);
            MatrixMultiply.Multiply<float>(_deltas[l].AsSpan(0, batch * fanOut), Weight(l, Values), previous, batch, fanOut, fanIn, _maxDegreeOfParallelism);
            Activations.ReluBackwardInPlace(previous, _activations[l - 1].AsSpan(0, batch * fanIn));
        }
        return batch;
    }

    private ReadOnlySpan<float> LayerInput(int layer, int batch)
        => layer == 1 ? _input.AsSpan(_inputOffset, batch * _sizes[0]) : _activations[layer - 1].AsSpan(0, batch * _sizes[layer - 1]);

    private static double SquaredNorm(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (float x in v) s += (double)x * x;
        return s;
    }

    /// <summary>Index of the largest logit of each row of <paramref name="logits"/> (first one on ties).</summary>
    public static void ArgMax(ReadOnlySpan<float> logits, int classes, Span<int> predictions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        int rows = logits.Length / classes;
        if (predictions.Length < rows) throw new ArgumentException("The prediction buffer is too short.", nameof(predictions));
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * classes, classes);
            int best = 0;
            for (int j = 1; j < classes; j++) if (row[j] > row[best]) best = j;
            predictions[i] = best;
        }
    }

    /// <summary>Fraction of samples of <paramref name="data"/> classified correctly, evaluated in batches of <see cref="MaxBatchSize"/>.</summary>
    public double Accuracy(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Labels is null || data.FeatureCount != InputSize) throw new ArgumentException("Need a classification set with InputSize features.", nameof(data));
        int[] buffer = new int[MaxBatchSize];
        int correct = 0;
        for (int start = 0; start < data.Count; start += MaxBatchSize)
        {
            int n = Math.Min(MaxBatchSize, data.Count - start);
            ArgMax(Forward(data.Features, start * InputSize, n), OutputSize, buffer);
            for (int i = 0; i < n; i++) if (buffer[i] == data.Labels[start + i]) correct++;
        }
        _batch = 0;
        return (double)correct / data.Count;
    }

    private Span<float> Weight(int layer, float[] buffer)
    {
        Parameter p = Parameters[2 * (layer - 1)];
        return buffer.AsSpan(p.Offset, p.Length);
    }

    private Span<float> Bias(int layer, float[] buffer)
    {
        Parameter p = Parameters[2 * (layer - 1) + 1];
        return buffer.AsSpan(p.Offset, p.Length);
    }
}
