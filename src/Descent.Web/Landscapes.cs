using Descent.Lab.Data;
using Descent.Lab.Problems;

namespace Descent.Web;

/// <summary>
/// A 2-D function of the Landscapes page: the lab's <see cref="Landscape2D"/> plus, for the noisy quadratic, seeded Gaussian
/// noise added to every gradient. A fresh instance per trajectory, so a seed always gives the same path.
/// </summary>
public sealed class PlaygroundLandscape
{
    private readonly SeededRandom? _noise;
    private readonly double _sigma;

    private PlaygroundLandscape(string name, string title, Landscape2D function, ulong? seed, double sigma)
    {
        Name = name;
        Title = title;
        Function = function;
        _sigma = sigma;
        Seed = seed ?? 0;
        if (seed is { } s) _noise = new SeededRandom(s);
    }

    /// <summary>The name used in requests (<c>rosenbrock</c>, <c>beale</c>, <c>himmelblau</c>, <c>ravine</c>, <c>saddle</c>, <c>noisy-quadratic</c>).</summary>
    public string Name { get; }

    /// <summary>A human title with the formula.</summary>
    public string Title { get; }

    /// <summary>The noise-free function (values, exact gradient, window, minima).</summary>
    public Landscape2D Function { get; }

    /// <summary>The seed of the gradient noise (0 for the noise-free functions).</summary>
    public ulong Seed { get; }

    /// <summary>Whether gradients carry seeded noise.</summary>
    public bool IsNoisy => _noise is not null;

    /// <summary>The standard deviation of the gradient noise (0 when noise-free).</summary>
    public double NoiseSigma => _noise is null ? 0 : _sigma;

    /// <summary>f(x, y) without noise (what the loss chart shows).</summary>
    public double Value(double x, double y) => Function.Value(x, y);

    /// <summary>Writes the (noisy, for the noisy quadratic) gradient at <paramref name="x"/> and returns the noise-free value.</summary>
    public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        double f = Function.Evaluate(x, gradient);
        if (_noise is not null)
        {
            gradient[0] += _sigma * _noise.NextGaussian();
            gradient[1] += _sigma * _noise.NextGaussian();
        }
        return f;
    }

    /// <summary>The names <see cref="Create"/> knows, in menu order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["rosenbrock", "beale", "himmelblau", "ravine", "saddle", "noisy-quadratic"];

    /// <summary>The gradient noise of the noisy quadratic (standard deviation per coordinate).</summary>
    public const double NoisyQuadraticSigma = 0.5;

    /// <summary>Builds a landscape by name; <paramref name="seed"/> seeds the noisy quadratic's noise (ignored by the others).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static PlaygroundLandscape Create(string name, ulong seed = 0) => name switch
    {
        "rosenbrock" => new(name, "Rosenbrock (1 − x)² + 100 (y − x²)²", new Rosenbrock(), null, 0),
        "beale" => new(name, "Beale (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", new Beale(), null, 0),
        "himmelblau" => new(name, "Himmelblau (x² + y − 11)² + (x + y² − 7)²", new Himmelblau(), null, 0),
        "ravine" => new(name, "Ill-conditioned quadratic x²/200 + y²/2 (condition number 100)", new Ravine(100), null, 0),
        "saddle" => new(name, "Saddle x² − y² + y⁴/4", new Saddle(), null, 0),
        "noisy-quadratic" => new(name, $"Noisy quadratic x²/20 + y²/2, gradient noise N(0, {NoisyQuadraticSigma}²) per coordinate, seeded", new Ravine(10), seed, NoisyQuadraticSigma),
        _ => throw new ArgumentException($"unknown function '{name}'; known: {string.Join(", ", Names)}"),
    };
}
