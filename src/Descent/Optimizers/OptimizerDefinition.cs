using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// Everything the library knows about one optimizer, declared once in the optimizer's own file next to its <see cref="Optim"/>
/// factory: text name, description, text options with their defaults (PyTorch keywords), how a parsed text creates the
/// optimizer (rule chain and fused kernel come from the factory), the variants its conformance tests exercise, and the settings
/// its convergence tests and the lab use. <see cref="OptimizerCatalog"/> finds every non-abstract subclass with a public
/// parameterless constructor in this assembly, so adding an optimizer never edits the catalog, the CLI, <c>descent bench</c>,
/// the lab or the conformance tests: they all read <see cref="OptimizerCatalog.All"/>.
/// </summary>
/// <remarks>
/// Subclass with a public parameterless constructor. A preset of another entry (<c>momentum</c> is <c>sgd</c> with momentum
/// 0.9 by default) derives from that entry's definition and passes other defaults to its protected constructor.
/// </remarks>
public abstract class OptimizerDefinition
{
    /// <summary>Declares the text name, a one-line description and the text options (in the order the text form writes them).</summary>
    protected OptimizerDefinition(string name, string description, params OptionDefinition[] options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Description = description;
        Options = options;
    }

    /// <summary>The text name (<c>adamw</c>), also the <see cref="Optimizer{T}.Kind"/> of what <see cref="Create{T}"/> returns (a preset returns its base entry's kind: <c>momentum</c> builds an <c>sgd</c>).</summary>
    public string Name { get; }

    /// <summary>One line for listings.</summary>
    public string Description { get; }

    /// <summary>The keywords of the text form with their defaults; <c>lr</c> may also be given positionally.</summary>
    public IReadOnlyList<OptionDefinition> Options { get; }

    /// <summary>
    /// Where the entry appears in <see cref="OptimizerCatalog.All"/> (ascending; ties by name). Default <see cref="int.MaxValue"/>:
    /// after the listed ones.
    /// </summary>
    public virtual int Position => int.MaxValue;

    /// <summary>Creates the optimizer a parsed text describes (usually by calling the <see cref="Optim"/> factory).</summary>
    public abstract Optimizer<T> Create<T>(OptimizerSpec spec) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Text forms that between them turn on every switch of this entry (e.g. <c>adam(amsgrad=true, weight_decay=0.1)</c>). The
    /// conformance tests run each one: fused equals composed bit for bit for every length 0..257 (when there is a kernel), with
    /// and without a learning-rate schedule. The bare <c>name()</c> is always tested and need not be listed.
    /// </summary>
    public virtual IReadOnlyList<string> Variants => [];

    /// <summary>
    /// A setting that trains the lab's MNIST MLP (784-256-10, batch 128, cosine decay unless schedule-free) well: rates chosen
    /// from the usual range of the method, not swept. The lab's optimizer table (experiment 18) is these.
    /// </summary>
    public virtual string TrainingExample => Name + "()";

    /// <summary>The convergence test on the diagonal quadratic 0.5·Σ aᵢxᵢ² (curvatures 1, 2, 5, 10 as a 2×2 matrix) from x = 1.</summary>
    public abstract ConvergenceCheck Quadratic { get; }

    /// <summary>The convergence test on Rosenbrock's function from (-1.2, 1).</summary>
    public abstract ConvergenceCheck Rosenbrock { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Description}";
}

/// <summary>
/// A convergence check: <paramref name="Text"/> run for <paramref name="Steps"/> steps ends within <paramref name="Tolerance"/>
/// of the minimizer (Euclidean distance; schedule-free optimizers measured at their evaluation point).
/// </summary>
/// <param name="Text">The optimizer's text form.</param>
/// <param name="Steps">Steps taken.</param>
/// <param name="Tolerance">Largest accepted distance to the minimizer.</param>
public sealed record ConvergenceCheck(string Text, int Steps, double Tolerance);
