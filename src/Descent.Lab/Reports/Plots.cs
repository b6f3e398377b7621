using ScottPlot;

namespace Descent.Lab.Reports;

/// <summary>A named (x, y) series: a loss curve, or a trajectory in a 2-D plane.</summary>
public sealed record Series(string Name, double[] X, double[] Y)
{
    /// <summary>A series whose x values are 0, 1, 2, … (e.g. a loss per step).</summary>
    public static Series FromValues(string name, IReadOnlyList<double> values) =>
        new(name, Enumerable.Range(0, values.Count).Select(i => (double)i).ToArray(), values.ToArray());
}

/// <summary>
/// Plot helpers on ScottPlot 5: line plots (optional log axes), contour plots of 2-D functions with trajectories, scatter
/// plots of labelled 2-D points, bar charts; saved as PNG and SVG.
/// </summary>
/// <remarks>Log axes are drawn by plotting log10 of the data with power-of-ten tick labels; values ≤ 0 are left out.</remarks>
public static class Plots
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 550;

    /// <summary>Line plot of several series with a legend.</summary>
    public static Plot Line(string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logY = false, bool logX = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = NewPlot(title, xLabel, yLabel);
        var all = series.ToArray();
        int index = 0;
        foreach (var s in all)
        {
            if (s.X.Length != s.Y.Length) throw new ArgumentException($"Series '{s.Name}' has {s.X.Length} x values and {s.Y.Length} y values.", nameof(series));
            var (xs, ys) = Transform(s.X, s.Y, logX, logY);
            var line = plot.Add.ScatterLine(xs, ys, Palette(index++, all.Length));
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = xs.Length <= 30 ? 5 : 0;
        }
        if (logY) LogTicks(plot.Axes.Left);
        if (logX) LogTicks(plot.Axes.Bottom);
        LegendOutside(plot);
        return plot;
    }

    /// <summary>
    /// Contour lines of <paramref name="f"/> over a window, with <paramref name="trajectories"/> (paths of iterates) drawn on top
    /// and their start and end points marked. <paramref name="logLevels"/> spaces the contours on log10(f − min + 1e-3)
    /// (right for valleys like Rosenbrock's).
    /// </summary>
    public static Plot Contour(string title, Func<double, double, double> f, (double XMin, double XMax, double YMin, double YMax) bounds,
        IEnumerable<Series> trajectories, bool logLevels = true, int resolution = 120, int levels = 24)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        var (x0, x1, y0, y1) = bounds;
        if (!(x1 > x0) || !(y1 > y0)) throw new ArgumentException("The window must have XMax > XMin and YMax > YMin.", nameof(bounds));
        var grid = new Coordinates3d[resolution, resolution];
        double min = double.PositiveInfinity;
        var values = new double[resolution, resolution];
        for (int r = 0; r < resolution; r++)
            for (int c = 0; c < resolution; c++)
            {
                double v = f(x0 + (x1 - x0) * c / (resolution - 1), y0 + (y1 - y0) * r / (resolution - 1));
                values[r, c] = v;
                if (double.IsFinite(v)) min = Math.Min(min, v);
            }
        for (int r = 0; r < resolution; r++)
            for (int c = 0; c < resolution; c++)
            {
                double v = values[r, c];
                double z = logLevels ? Math.Log10(v - min + 1e-3) : v;
                grid[r, c] = new Coordinates3d(x0 + (x1 - x0) * c / (resolution - 1), y0 + (y1 - y0) * r / (resolution - 1), double.IsFinite(z) ? z : 0);
            }
        var plot = NewPlot(title, "x", "y");
        var contour = plot.Add.ContourLines(grid, levels);
        contour.LineWidth = 1;
        contour.LineColor = Colors.Gray;
        contour.LabelStyle.IsVisible = true;
        contour.LabelStyle.FontSize = 9;
        contour.LabelStyle.ForeColor = Colors.DimGray;
        int index = 0;
        foreach (var t in trajectories)
        {
            if (t.X.Length != t.Y.Length || t.X.Length == 0) throw new ArgumentException($"Trajectory '{t.Name}' needs equal, non-zero numbers of x and y values.", nameof(trajectories));
            var color = Palette(index++);
            var path = plot.Add.ScatterLine(t.X, t.Y, color);
            path.LegendText = t.Name;
            path.LineWidth = 2;
            path.MarkerSize = t.X.Length <= 60 ? 4 : 0;
            plot.Add.Marker(t.X[0], t.Y[0], MarkerShape.OpenCircle, 10, color);
            plot.Add.Marker(t.X[^1], t.Y[^1], MarkerShape.FilledSquare, 8, color);
        }
        plot.Axes.SetLimits(x0, x1, y0, y1);
        LegendOutside(plot);
        return plot;
    }

    /// <summary>Scatter plot of 2-D points, one colour per label (e.g. an embedding or a 2-D data set).</summary>
    public static Plot Scatter(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<double> y,
        IReadOnlyList<int>? labels = null, IReadOnlyList<string>? labelNames = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} x values but {y.Count} y values.", nameof(y));
        if (labels is not null && labels.Count != x.Count) throw new ArgumentException($"{labels.Count} labels for {x.Count} points.", nameof(labels));
        var plot = NewPlot(title, xLabel, yLabel);
        var groups = labels is null ? [0] : labels.Distinct().Order().ToArray();
        foreach (int g in groups)
        {
            var index = Enumerable.Range(0, x.Count).Where(i => labels is null || labels[i] == g).ToArray();
            var markers = plot.Add.Markers(index.Select(i => x[i]).ToArray(), index.Select(i => y[i]).ToArray(), MarkerShape.FilledCircle, 5, Palette(g));
            if (labels is not null)
            {
                markers.LegendText = labelNames is not null && g >= 0 && g < labelNames.Count ? labelNames[g] : $"class {g}";
            }
        }
        if (labels is not null) LegendOutside(plot);
        return plot;
    }

    /// <summary>Bar chart of named values (optionally on a log scale).</summary>
    public static Plot Bar(string title, string yLabel, IReadOnlyList<string> names, IReadOnlyList<double> values, bool logY = false)
    {
        if (names.Count != values.Count) throw new ArgumentException($"{names.Count} names for {values.Count} values.", nameof(values));
        var plot = NewPlot(title, "", yLabel);
        var bars = new List<Bar>();
        double[] shown = values.Select(v => logY ? (v > 0 ? Math.Log10(v) : double.NaN) : v).ToArray();
        // On a log axis bars rise from one decade below the smallest value (a log axis has no zero).
        double baseline = logY ? Math.Floor(shown.Where(double.IsFinite).DefaultIfEmpty(0).Min()) - 1 : 0;
        for (int i = 0; i < values.Count; i++)
        {
            double v = shown[i];
            bars.Add(new Bar { Position = i, Value = double.IsFinite(v) ? v : baseline, ValueBase = baseline, FillColor = Palette(i) });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray(), names.ToArray());
        if (logY) LogTicks(plot.Axes.Left);
        else plot.Axes.Margins(bottom: 0);
        return plot;
    }

    /// <summary>Writes <paramref name="plot"/> to <c>pathWithoutExtension.png</c> and <c>.svg</c>; returns the two paths.</summary>
    public static (string Png, string Svg) Save(Plot plot, string pathWithoutExtension, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(plot);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(pathWithoutExtension));
        if (dir is not null) Directory.CreateDirectory(dir);
        string png = pathWithoutExtension + ".png", svg = pathWithoutExtension + ".svg";
        plot.SavePng(png, width, height);
        plot.SaveSvg(svg, width, height);
        return (png, svg);
    }

    /// <summary>The PNG bytes of <paramref name="plot"/> (for embedding in an HTML report).</summary>
    public static byte[] ToPng(Plot plot, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>A colour from a fixed, colour-blind-friendly cycle.</summary>
    public static Color Palette(int index) => Palette(index, 10);

    /// <summary>
    /// Colour <paramref name="index"/> of a palette with at least <paramref name="count"/> distinct colours: Category10 up to 10
    /// series, Category20 up to 20, beyond that evenly spaced hues, each in three lightnesses (so no two series of one plot
    /// share a colour, and the first and the last series do not meet where the hue circle closes).
    /// </summary>
    public static Color Palette(int index, int count)
    {
        if (count > 20)
        {
            int i = ((index % count) + count) % count, hues = (count + 2) / 3;
            float[] lightness = [0.35f, 0.52f, 0.68f];
            return Color.FromHSL((float)(i / 3) / hues, 0.70f, lightness[i % 3]);
        }
        Color[] colors = count > 10 ? new ScottPlot.Palettes.Category20().Colors : new ScottPlot.Palettes.Category10().Colors;
        return colors[((index % colors.Length) + colors.Length) % colors.Length];
    }

    /// <summary>Puts the legend to the right of the data area, so it never covers a curve.</summary>
    public static void LegendOutside(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.ShowLegend(Edge.Right);
    }

    /// <summary>Adds a shaded band between <paramref name="low"/> and <paramref name="high"/> over <paramref name="x"/> (a confidence band), in a light tint of <paramref name="color"/>.</summary>
    public static void Band(Plot plot, double[] x, double[] low, double[] high, Color color, string? legend = null)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (x.Length != low.Length || x.Length != high.Length) throw new ArgumentException("x, low and high must have equal lengths.", nameof(x));
        var fill = plot.Add.FillY(x, low, high);
        fill.FillStyle.Color = color.WithAlpha(0.25);
        fill.LineStyle.Width = 0;
        if (legend is not null) fill.LegendText = legend;
    }

    /// <summary>Adds a shaded vertical span [<paramref name="from"/>, <paramref name="to"/>] (e.g. a suggested interval) with a legend entry.</summary>
    public static void Span(Plot plot, double from, double to, Color color, string legend)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var span = plot.Add.VerticalSpan(Math.Min(from, to), Math.Max(from, to), color.WithAlpha(0.18));
        span.LegendText = legend;
    }

    /// <summary>Adds a dashed vertical line at <paramref name="x"/> with a legend entry (a threshold, a boundary, a suggestion).</summary>
    public static void MarkX(Plot plot, double x, Color color, string legend)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var line = plot.Add.VerticalLine(x, 2, color, LinePattern.Dashed);
        line.LegendText = legend;
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static (double[] X, double[] Y) Transform(double[] x, double[] y, bool logX, bool logY)
    {
        var xs = new List<double>(x.Length);
        var ys = new List<double>(y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            if ((logX && !(x[i] > 0)) || (logY && !(y[i] > 0)) || !double.IsFinite(x[i]) || !double.IsFinite(y[i])) continue;
            xs.Add(logX ? Math.Log10(x[i]) : x[i]);
            ys.Add(logY ? Math.Log10(y[i]) : y[i]);
        }
        return (xs.ToArray(), ys.ToArray());
    }

    private static void LogTicks(IAxis axis)
    {
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => $"1e{v:0}",
        };
        axis.TickGenerator = ticks;
    }
}
