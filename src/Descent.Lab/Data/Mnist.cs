namespace Descent.Lab.Data;

/// <summary>Loads MNIST-format data (the shipped MNIST-10k, full MNIST, Fashion-MNIST) as <see cref="Dataset"/>s.</summary>
public static class Mnist
{
    /// <summary>The shipped subset's folder relative to the repository root.</summary>
    public const string DefaultDirectory = "data/mnist-10k";

    /// <summary>Loads an image file and a label file as a 10-class data set with pixels scaled to [0, 1].</summary>
    /// <exception cref="InvalidDataException">A file is malformed, or the image and label counts differ.</exception>
    public static Dataset Load(string imagesPath, string labelsPath, string name)
    {
        IdxImages images = IdxReader.ReadImages(imagesPath);
        byte[] labels = IdxReader.ReadLabels(labelsPath, 10);
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException($"{labelsPath}: {labels.Length} labels but {imagesPath} holds {images.Count} images.");
        }
        var features = new float[images.Pixels.Length];
        const float Scale = 1f / 255f;
        for (int i = 0; i < features.Length; i++) features[i] = images.Pixels[i] * Scale;
        var intLabels = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) intLabels[i] = labels[i];
        return new Dataset(name, features, images.PixelsPerImage, intLabels, 10, null);
    }

    /// <summary>Loads the train and test sets from a folder with the standard file names (gzip or raw).</summary>
    public static (Dataset Train, Dataset Test) LoadDirectory(string directory)
    {
        return (Load(Find(directory, "train-images-idx3-ubyte"), Find(directory, "train-labels-idx1-ubyte"), "train"),
                Load(Find(directory, "t10k-images-idx3-ubyte", "test-images-idx3-ubyte"), Find(directory, "t10k-labels-idx1-ubyte", "test-labels-idx1-ubyte"), "test"));
    }

    /// <summary>The environment variable naming the MNIST folder when no --data is given.</summary>
    public const string EnvironmentVariable = "DESCENT_DATA";

    /// <summary>
    /// Finds the shipped MNIST-10k folder wherever the command is started from: the folder named by <c>DESCENT_DATA</c> if set;
    /// else data/mnist-10k in <paramref name="start"/> (default: the current directory) or above it; else next to the program
    /// (<see cref="AppContext.BaseDirectory"/>, where a build copies it) or above it (the repository of a built checkout).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">None of these exists.</exception>
    public static string FindDefaultDirectory(string? start = null)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } named)
        {
            return Directory.Exists(named) ? named
                : throw new DirectoryNotFoundException($"{EnvironmentVariable}={named} is not a folder.");
        }
        foreach (string from in new[] { start ?? Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DefaultDirectory);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException($"No {DefaultDirectory} folder above {start ?? Directory.GetCurrentDirectory()} or next to the program; "
            + $"give --data FOLDER or set {EnvironmentVariable}.");
    }

    private static string Find(string directory, params string[] stems)
    {
        foreach (string stem in stems)
        {
            foreach (string suffix in new[] { ".gz", "" })
            {
                string path = Path.Combine(directory, stem + suffix);
                if (File.Exists(path)) return path;
            }
        }
        throw new FileNotFoundException($"No {string.Join(" or ", stems)}[.gz] in {directory}.");
    }
}
