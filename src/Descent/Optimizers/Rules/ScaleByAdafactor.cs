using System.Numerics;
using Descent.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// The whole Adafactor step (it ends with the step size, so it is the last rule of its chain). At step t, for a gradient G:
/// <list type="number">
/// <item>beta2_t = 1 - t^decayRate; G2 = G² + eps1.</item>
/// <item>Parameters of rank &gt;= 2, seen as a batch of [rows, cols] matrices (the last two dimensions): R = beta2_t R + (1 - beta2_t) rowmean(G2),
/// C = beta2_t C + (1 - beta2_t) colmean(G2), U = G / sqrt(R_i C_j / mean(R)) (states <c>exp_avg_sq_row</c>, <c>exp_avg_sq_col</c>:
/// rows + cols values per matrix, not rows x cols). Other ranks: V = beta2_t V + (1 - beta2_t) G2, U = G / sqrt(V) (state <c>exp_avg_sq</c>).</item>
/// <item>U = U / max(1, RMS(U) / d) (update clipping).</item>
/// <item>alpha_t = rho_t * (scaleParameter ? max(eps2, RMS(p)) : 1), with rho_t = min(lr, 1/sqrt(t)) for the relative step
/// (min(1e-6 t, 1/sqrt(t)) with warmup init), else lr.</item>
/// <item>U = alpha_t U; with beta1 (first moment on) M = beta1 M + (1 - beta1) U, U = M (state <c>exp_avg</c>).</item>
/// <item>update = -U - wd alpha_t p.</item>
/// </list>
/// </summary>
/// <remarks>Shazeer and Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost", ICML 2018, Algorithms 4-5 with
/// the relative step (section 8) and update clipping (section 6). Semantics of Hugging Face transformers' <c>Adafactor</c>
/// (eps1 added to G², the row factor normalized by its mean, RMS = norm / sqrt(n), decay times alpha_t, first moment of the
/// scaled update without bias correction); with lr = 1e-2 (the default) the relative step equals HF's min(1e-2, 1/sqrt(t)).
/// PyTorch 2.5's <c>torch.optim.Adafactor</c> differs: eps1 clamps instead of being added, no parameter-scale option, and its decay is lr wd.
/// RMS values are computed in double from <see cref="Reductions"/> (deterministic).</remarks>
public sealed class ScaleByAdafactor<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _columnSums = [];

    /// <summary>Creates the rule; see <see cref="Optim.Adafactor{T}"/> for the arguments.</summary>
    public ScaleByAdafactor(bool relativeStep = true, bool scaleParameter = true, bool warmupInit = false, bool firstMoment = false,
        double epsilon1 = 1e-30, double epsilon2 = 1e-3, double clipThreshold = 1.0, double decayRate = -0.8)
    {
        if (!double.IsFinite(epsilon1) || epsilon1 < 0) throw new ArgumentOutOfRangeException(nameof(epsilon1), epsilon1, "epsilon1 must be in [0, +inf) (finite).");
        if (!double.IsFinite(epsilon2) || epsilon2 < 0) throw new ArgumentOutOfRangeException(nameof(epsilon2), epsilon2, "epsilon2 must be in [0, +inf) (finite).");
        if (double.IsNaN(clipThreshold) || clipThreshold <= 0) throw new ArgumentOutOfRangeException(nameof(clipThreshold), clipThreshold, "clipThreshold must be in (0, +inf] (+inf: no clipping).");
        if (!double.IsFinite(decayRate) || decayRate > 0) throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "decayRate must be in (-inf, 0] (finite).");
        if (warmupInit && !relativeStep) throw new ArgumentException("warmupInit requires the relative step (no explicit learning rate).", nameof(warmupInit));
        RelativeStep = relativeStep;
        ScaleParameter = scaleParameter;
        WarmupInit = warmupInit;
        FirstMoment = firstMoment;
        Epsilon1 = epsilon1;
        Epsilon2 = epsilon2;
        ClipThreshold = clipThreshold;
        DecayRate = decayRate;
    }

    /// <summary>Relative step size <c>rho_t = min(lr, 1/sqrt(t))</c> instead of the plain learning rate (default true; HF <c>relative_step</c>).</summary>
    public bool RelativeStep { get; }
    /// <summary>Scale the step by <c>max(eps2, RMS(p))</c> (default true; HF <c>scale_parameter</c>).</summary>
    public bool ScaleParameter { get; }
    /// <summary>Relative step starts at <c>1e-6 t</c> (default false; needs <see cref="RelativeStep"/>; HF <c>warmup_init</c>).</summary>
    public bool WarmupInit { get; }
    /// <summary>Keep a first moment of the scaled update (state <c>exp_avg</c>; default false, i.e. HF <c>beta1=None</c>).</summary>
    public bool FirstMoment { get; }
    /// <summary>Added to the squared gradient (default 1e-30, finite, &gt;= 0; HF <c>eps[0]</c>).</summary>
    public double Epsilon1 { get; }
    /// <summary>Lower bound of the parameter RMS in the step size (default 1e-3, finite, &gt;= 0; HF <c>eps[1]</c>).</summary>
    public double Epsilon2 { get; }
    /// <summary>Update clipping threshold <c>d</c>: the update is divided by <c>max(1, RMS(U) / d)</c> (default 1, &gt; 0, +infinity: none; HF <c>clip_threshold</c>).</summary>
    public double ClipThreshold { get; }
    /// <summary>Exponent of the second-moment decay <c>beta2_t = 1 - t^DecayRate</c> (default -0.8, finite, &lt;= 0; HF <c>decay_rate</c>).</summary>
    public double DecayRate { get; }

    /// <inheritdoc />
    public string Name => "scale_by_adafactor";

    /// <summary>Whether a parameter of this shape gets factored second moments (rank &gt;= 2, as HF).</summary>
    public static bool IsFactored(IReadOnlyList<int> shape) => shape.Count >= 2;

    /// <inheritdoc />
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        var shape = state.Shape;
        if (IsFactored(shape))
        {
            int rows = shape[^2], cols = shape[^1];
            int batch = rows == 0 || cols == 0 ? 0 : state.Length / (rows * cols);
            state.AddBuffer("exp_avg_sq_row", T.Zero, batch * rows);
            state.AddBuffer("exp_avg_sq_col", T.Zero, batch * cols);
            if (cols > _columnSums.Length) _columnSums = new T[cols];
        }
        else
        {
            state.AddBuffer("exp_avg_sq", T.Zero);
        }
        if (FirstMoment) state.AddBuffer("exp_avg", T.Zero);
    }

    /// <summary>RMS(x) = ||x|| / sqrt(n) in double (0 for an empty buffer).</summary>
    public static double Rms(ReadOnlySpan<T> x) => x.Length == 0 ? 0 : double.CreateTruncating(Reductions.Norm(x)) / Math.Sqrt(x.Length);

    /// <summary>alpha_t for step <paramref name="t"/>, learning rate <paramref name="learningRate"/> and RMS(p) <paramref name="parameterRms"/>.</summary>
    public double StepSize(long t, double learningRate, double parameterRms)
    {
        double rho = RelativeStep ? Math.Min(WarmupInit ? 1e-6 * t : learningRate, 1 / Math.Sqrt(t)) : learningRate;
        return ScaleParameter ? rho * Math.Max(Epsilon2, parameterRms) : rho;
    }

    /// <inheritdoc />
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        long t = context.Step;
        double alpha = StepSize(t, context.LearningRate, ScaleParameter ? Rms(parameter) : 0);
        double beta2t = 1 - Math.Pow(t, DecayRate);
        T b = T.CreateTruncating(beta2t), c = T.CreateTruncating(1 - beta2t), eps1 = T.CreateTruncating(Epsilon1);
        var shape = state.Shape;
        if (IsFactored(shape))
        {
            Factored(update, state, shape[^2], shape[^1], b, c, eps1);
        }
        else
        {
            var v = state.Buffer("exp_avg_sq").AsSpan();
            for (int i = 0; i < update.Length; i++)
            {
                T g = update[i];
                v[i] = b * v[i] + c * (g * g + eps1);
                update[i] = g / T.Sqrt(v[i]);
            }
        }
        // Update clipping, step size, optional first moment, decoupled decay.
        double divisor = Math.Max(1.0, Rms(update) / ClipThreshold);
        T scale = T.CreateTruncating(alpha / divisor);
        for (int i = 0; i < update.Length; i++) update[i] = scale * update[i];
        if (FirstMoment)
        {
            var m = state.Buffer("exp_avg").AsSpan();
            double beta1 = context[HyperparameterKey.Beta1];
            T b1 = T.CreateTruncating(beta1), c1 = T.CreateTruncating(1 - beta1);
            for (int i = 0; i < update.Length; i++)
            {
                m[i] = b1 * m[i] + c1 * update[i];
                update[i] = m[i];
            }
        }
        T decay = T.CreateTruncating(context[HyperparameterKey.WeightDecay] * alpha);
        for (int i = 0; i < update.Length; i++) update[i] = -update[i] - decay * parameter[i];
    }

    private void Factored(Span<T> update, ParameterState<T> state, int rows, int cols, T b, T c, T eps1)
    {
        var r = state.Buffer("exp_avg_sq_row").AsSpan();
        var col = state.Buffer("exp_avg_sq_col").AsSpan();
        int size = rows * cols;
        if (size == 0) return;
        int batch = update.Length / size;
        T invCols = T.One / T.CreateTruncating((double)cols), invRows = T.One / T.CreateTruncating((double)rows);
        var sums = _columnSums.AsSpan(0, cols);
        for (int k = 0; k < batch; k++)
        {
            var g = update.Slice(k * size, size);
            var rk = r.Slice(k * rows, rows);
            var ck = col.Slice(k * cols, cols);
            sums.Clear();
            T rowTotal = T.Zero;
            for (int i = 0; i < rows; i++)
            {
                T rowSum = T.Zero;
                var gi = g.Slice(i * cols, cols);
                for (int j = 0; j < cols; j++)
                {
                    T g2 = gi[j] * gi[j] + eps1;
                    rowSum += g2;
                    sums[j] += g2;
                }
                rk[i] = b * rk[i] + c * (rowSum * invCols);
                rowTotal += rk[i];
            }
            for (int j = 0; j < cols; j++)
            {
                ck[j] = b * ck[j] + c * (sums[j] * invRows);
                sums[j] = T.One / T.Sqrt(ck[j]); // now the column factor
            }
            T rowMean = rowTotal * invRows;
            for (int i = 0; i < rows; i++)
            {
                T rowFactor = T.One / T.Sqrt(rk[i] / rowMean);
                var gi = g.Slice(i * cols, cols);
                for (int j = 0; j < cols; j++) gi[j] = gi[j] * (rowFactor * sums[j]);
            }
        }
    }
}
