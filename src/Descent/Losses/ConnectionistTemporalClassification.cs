using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Connectionist temporal classification loss, PyTorch <c>CTCLoss(blank, reduction, zero_infinity)</c> (Graves et al.
/// 2006): the negative log-probability of a target sequence summed over all its alignments with blanks and repeats,
/// computed by the forward-backward (alpha-beta) recursion entirely in log space, so it stays finite and its gradient
/// stable for long sequences.
/// </summary>
/// <remarks>
/// <para>Layouts follow PyTorch: <c>logProbs</c> is [T × N × C] (time-major log-probabilities, normally a log-softmax over
/// C), targets are concatenated (sample b owns <c>targetLengths[b]</c> labels), and sample b uses the first
/// <c>inputLengths[b]</c> time steps. Mean divides each sample's loss by its target length (at least 1) and averages
/// over the batch; Sum adds; None writes the per-sample losses and the gradient of their sum.</para>
/// <para>The gradient is the one PyTorch returns: exp(lp[t, c]) - γ[t, c] for t &lt; T_b (γ the posterior of class c at
/// t) and 0 beyond. It differs from the plain derivative -γ by exp(lp), which sums to 1 over classes and therefore
/// vanishes after the backward pass of a log-softmax: with lp = log_softmax(z) it equals the gradient with respect to
/// the logits z, softmax(z) - γ.</para>
/// <para>An impossible alignment (T_b shorter than the targets need) gives an infinite loss; with
/// <c>zeroInfinity</c> that sample's loss and gradient are 0, otherwise its gradient is NaN, as in PyTorch.</para>
/// <para>The recursion runs in double whatever T is: over hundreds of steps the log-probabilities of the prefixes reach
/// magnitudes of 10³, where float's rounding would cost the gradient percents.</para>
/// <para>An instance keeps scratch buffers for the recursion: do not call it from several threads at once.</para>
/// </remarks>
public sealed class ConnectionistTemporalClassification<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double[] _alpha = [];
    private double[] _beta = [];
    private double[] _classSums = [];
    private int[] _labels = [];

    /// <summary>Creates the loss.</summary>
    /// <param name="blank">Index of the blank class (default 0, ≥ 0; PyTorch <c>blank</c>).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <param name="zeroInfinity">Replace infinite losses (and their gradients) by 0 (default false; PyTorch <c>zero_infinity</c>).</param>
    public ConnectionistTemporalClassification(int blank = 0, Reduction reduction = Reduction.Mean, bool zeroInfinity = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blank);
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        Blank = blank;
        Reduction = reduction;
        ZeroInfinity = zeroInfinity;
    }

    /// <summary>The blank class.</summary>
    public int Blank { get; }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Whether infinite losses are replaced by 0.</summary>
    public bool ZeroInfinity { get; }

    /// <summary>Loss and gradient with respect to <paramref name="logProbs"/>.</summary>
    /// <param name="logProbs">[T × N × C] log-probabilities, N = <paramref name="inputLengths"/>.Length.</param>
    /// <param name="classes">C, including the blank.</param>
    /// <param name="targets">Concatenated target labels (in [0, C), never the blank).</param>
    /// <param name="inputLengths">T_b ∈ [1, T] per sample.</param>
    /// <param name="targetLengths">Labels per sample (≥ 0), summing to <paramref name="targets"/>.Length.</param>
    /// <param name="gradient">d(loss)/d(logProbs), same shape.</param>
    /// <param name="losses">With <see cref="Reduction.None"/>: one loss per sample.</param>
    public T Evaluate(ReadOnlySpan<T> logProbs, int classes, ReadOnlySpan<int> targets, ReadOnlySpan<int> inputLengths,
        ReadOnlySpan<int> targetLengths, Span<T> gradient, Span<T> losses = default)
    {
        int batch = inputLengths.Length;
        if (classes <= Blank) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"classes must exceed the blank index {Blank}.");
        LossGuard.SameLength(batch, targetLengths.Length, nameof(targetLengths), "one target length per sample");
        int time = batch > 0 ? logProbs.Length / (batch * classes) : 0;
        if (batch == 0 || (long)time * batch * classes != logProbs.Length || time == 0)
        {
            throw new ArgumentException($"logProbs has length {logProbs.Length}, which is not T x {batch} x {classes} with T >= 1.", nameof(logProbs));
        }
        LossGuard.SameLength(logProbs.Length, gradient.Length, nameof(gradient), "same shape as logProbs");
        LossGuard.Losses(Reduction, batch, losses.Length, nameof(losses));
        long labelTotal = 0;
        int longest = 0;
        for (int b = 0; b < batch; b++)
        {
            if (inputLengths[b] < 1 || inputLengths[b] > time)
            {
                throw new ArgumentOutOfRangeException(nameof(inputLengths), inputLengths[b], $"inputLengths[{b}] = {inputLengths[b]} is not in [1, {time}].");
            }
            if (targetLengths[b] < 0) throw new ArgumentOutOfRangeException(nameof(targetLengths), targetLengths[b], $"targetLengths[{b}] is negative.");
            labelTotal += targetLengths[b];
            longest = Math.Max(longest, targetLengths[b]);
        }
        LossGuard.SameLength(checked((int)labelTotal), targets.Length, nameof(targets), "the sum of targetLengths");
        for (int i = 0; i < targets.Length; i++)
        {
            if ((uint)targets[i] >= (uint)classes || targets[i] == Blank)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), targets[i], $"targets[{i}] = {targets[i]} is not a label in [0, {classes - 1}] other than the blank {Blank}.");
            }
        }

        int states = 2 * longest + 1;
        if (_labels.Length < states) _labels = new int[states];
        long cells = (long)time * states;
        if (_alpha.Length < cells) { _alpha = new double[cells]; _beta = new double[cells]; }
        if (_classSums.Length < classes) _classSums = new double[classes];

        gradient.Clear();
        T total = T.Zero;
        int offset = 0;
        for (int b = 0; b < batch; b++)
        {
            int length = targetLengths[b];
            T nll = Sample(logProbs, classes, batch, b, inputLengths[b], targets.Slice(offset, length), gradient);
            offset += length;
            T weight = Reduction == Reduction.Mean ? T.One / (T.CreateTruncating(Math.Max(length, 1)) * T.CreateTruncating(batch)) : T.One;
            if (ZeroInfinity && T.IsPositiveInfinity(nll))
            {
                nll = T.Zero;
                for (int t = 0; t < inputLengths[b]; t++) gradient.Slice((t * batch + b) * classes, classes).Clear();
            }
            else if (weight != T.One)
            {
                for (int t = 0; t < inputLengths[b]; t++)
                {
                    var g = gradient.Slice((t * batch + b) * classes, classes);
                    for (int c = 0; c < classes; c++) g[c] *= weight;
                }
            }
            if (Reduction == Reduction.None) losses[b] = nll;
            total += nll * weight;
        }
        return total;
    }

    // Negative log-likelihood of one sample; writes exp(lp) - γ into its gradient rows (unscaled).
    private T Sample(ReadOnlySpan<T> logProbs, int classes, int batch, int b, int inputLength, ReadOnlySpan<int> target, Span<T> gradient)
    {
        int states = 2 * target.Length + 1;
        var labels = _labels.AsSpan(0, states);
        for (int s = 0; s < states; s++) labels[s] = (s & 1) == 0 ? Blank : target[s >> 1];
        var alpha = _alpha.AsSpan(0, inputLength * states);
        var beta = _beta.AsSpan(0, inputLength * states);

        // forward: alpha[t, s] = log Σ over prefixes ending in state s at time t
        var lp0 = logProbs.Slice(b * classes, classes);
        alpha.Slice(0, states).Fill(double.NegativeInfinity);
        alpha[0] = double.CreateTruncating(lp0[Blank]);
        if (states > 1) alpha[1] = double.CreateTruncating(lp0[labels[1]]);
        for (int t = 1; t < inputLength; t++)
        {
            var lp = logProbs.Slice((t * batch + b) * classes, classes);
            var previous = alpha.Slice((t - 1) * states, states);
            var current = alpha.Slice(t * states, states);
            for (int s = 0; s < states; s++)
            {
                double sum = previous[s];
                if (s >= 1) sum = LogAdd(sum, previous[s - 1]);
                if (s >= 2 && labels[s] != Blank && labels[s] != labels[s - 2]) sum = LogAdd(sum, previous[s - 2]);
                current[s] = double.IsNegativeInfinity(sum) ? sum : sum + double.CreateTruncating(lp[labels[s]]);
            }
        }
        var last = alpha.Slice((inputLength - 1) * states, states);
        double nll = -(states > 1 ? LogAdd(last[states - 1], last[states - 2]) : last[0]);

        // backward: beta[t, s] = log Σ over suffixes from state s at time t (including lp at t, as PyTorch)
        var lpLast = logProbs.Slice(((inputLength - 1) * batch + b) * classes, classes);
        var betaLast = beta.Slice((inputLength - 1) * states, states);
        betaLast.Fill(double.NegativeInfinity);
        betaLast[states - 1] = double.CreateTruncating(lpLast[labels[states - 1]]);
        if (states > 1) betaLast[states - 2] = double.CreateTruncating(lpLast[labels[states - 2]]);
        for (int t = inputLength - 2; t >= 0; t--)
        {
            var lp = logProbs.Slice((t * batch + b) * classes, classes);
            var next = beta.Slice((t + 1) * states, states);
            var current = beta.Slice(t * states, states);
            for (int s = 0; s < states; s++)
            {
                double sum = next[s];
                if (s + 1 < states) sum = LogAdd(sum, next[s + 1]);
                if (s + 2 < states && labels[s] != Blank && labels[s + 2] != labels[s]) sum = LogAdd(sum, next[s + 2]);
                current[s] = double.IsNegativeInfinity(sum) ? sum : sum + double.CreateTruncating(lp[labels[s]]);
            }
        }

        // gradient: exp(lp) - exp(log Σ_{s: l'_s = c} alpha beta + nll - lp)
        var classSums = _classSums.AsSpan(0, classes);
        for (int t = 0; t < inputLength; t++)
        {
            var lp = logProbs.Slice((t * batch + b) * classes, classes);
            var g = gradient.Slice((t * batch + b) * classes, classes);
            classSums.Fill(double.NegativeInfinity);
            var a = alpha.Slice(t * states, states);
            var be = beta.Slice(t * states, states);
            for (int s = 0; s < states; s++) classSums[labels[s]] = LogAdd(classSums[labels[s]], a[s] + be[s]);
            for (int c = 0; c < classes; c++)
            {
                double l = double.CreateTruncating(lp[c]);
                g[c] = T.CreateTruncating(Math.Exp(l) - Math.Exp(classSums[c] + nll - l));
            }
        }
        return T.CreateTruncating(nll);
    }

    private static double LogAdd(double x, double y)
    {
        double max = Math.Max(x, y);
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(Math.Exp(x - max) + Math.Exp(y - max));
    }
}
