using System.Diagnostics;
using System.Globalization;
using Descent.TensorBoard.Protos;
using Google.Protobuf;

namespace Descent.TensorBoard;

/// <summary>
/// Writes a TensorBoard event file (<c>events.out.tfevents.*</c>) into a run directory: scalars and PNG images, each
/// an <c>Event</c> protobuf framed as a <see cref="TfRecord"/>. Point TensorBoard at the directory (or its parent) with
/// <c>tensorboard --logdir DIR</c>; it follows the file while the run writes it.
/// </summary>
/// <remarks>
/// <para>The counterpart of PyTorch's <c>torch.utils.tensorboard.SummaryWriter</c> (<c>add_scalar</c>, <c>add_scalars</c>,
/// <c>add_image</c>) and of <c>tf.summary.create_file_writer</c>. The file begins with the <c>brain.Event:2</c> version event,
/// as TensorFlow's files do.</para>
/// <para>Events are written as they are added, and the file is flushed whenever <see cref="TensorBoardWriterOptions.FlushInterval"/>
/// has passed since the last flush, on <see cref="Flush"/>, on <see cref="Dispose"/>, and when the process exits (including
/// Ctrl+C), so a live TensorBoard lags by at most the flush interval and a killed run loses at most that much.</para>
/// <para>One writer per run directory: opening a second writer on a directory that has an open writer in this process
/// throws <see cref="InvalidOperationException"/> (two writers would interleave two files whose steps TensorBoard merges
/// confusingly). Each writer creates a new file, so a resumed run appends a new file to the same directory, as TensorFlow does.</para>
/// <para>The methods are thread-safe.</para>
/// </remarks>
/// <example>
/// <code>
/// using var log = new TensorBoardWriter("runs/adamw");
/// for (long step = 0; step &lt; 1000; step++)
/// {
///     double loss = TrainOneStep();
///     log.AddScalar("train/loss", loss, step);
/// }
/// log.AddImage("plots/loss", File.ReadAllBytes("loss.png"), 1000);
/// </code>
/// </example>
public sealed class TensorBoardWriter : IDisposable
{
    /// <summary>The version string of the first event of every file (TensorFlow's <c>brain.Event:2</c>).</summary>
    public const string FileVersion = "brain.Event:2";

    private static readonly HashSet<string> OpenDirectories = new(StringComparer.Ordinal);
    private static int _fileCounter;

    private readonly object _gate = new();
    private readonly FileStream _stream;
    private readonly MemoryStream _buffer = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _flushInterval;
    private readonly string _directoryKey;
    private long _lastFlush;
    private bool _disposed;

    /// <summary>Creates <paramref name="logDirectory"/> if needed and opens a new event file in it.</summary>
    /// <param name="logDirectory">The run directory (one writer per directory).</param>
    /// <param name="options">Flush interval, clock and file-name suffix (null: the defaults).</param>
    /// <exception cref="ArgumentException"><paramref name="logDirectory"/> is null, empty or white space, or an option is invalid.</exception>
    /// <exception cref="InvalidOperationException">Another writer of this process has <paramref name="logDirectory"/> open.</exception>
    public TensorBoardWriter(string logDirectory, TensorBoardWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        options ??= new TensorBoardWriterOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        ArgumentNullException.ThrowIfNull(options.FileNameSuffix, nameof(options));
        if (options.FlushInterval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "FlushInterval must be >= 0.");
        if (options.FileNameSuffix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || options.FileNameSuffix.Contains('/'))
            throw new ArgumentException($"FileNameSuffix '{options.FileNameSuffix}' is not valid in a file name.", nameof(options));
        _time = options.TimeProvider;
        _flushInterval = options.FlushInterval;
        LogDirectory = Path.GetFullPath(logDirectory);
        _directoryKey = Path.TrimEndingDirectorySeparator(LogDirectory);
        lock (OpenDirectories)
        {
            if (!OpenDirectories.Add(_directoryKey))
                throw new InvalidOperationException($"A TensorBoardWriter is already open on {LogDirectory}; use one writer per run directory.");
        }
        try
        {
            Directory.CreateDirectory(LogDirectory);
            long seconds = _time.GetUtcNow().ToUnixTimeSeconds();
            string host = SafeHostName();
            int counter = Interlocked.Increment(ref _fileCounter) - 1;
            string name = string.Create(CultureInfo.InvariantCulture,
                $"events.out.tfevents.{seconds:D10}.{host}.{Environment.ProcessId}.{counter}{options.FileNameSuffix}");
            FilePath = Path.Combine(LogDirectory, name);
            _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1 << 16);
            Write(new Event { WallTime = WallTime(), Step = 0, FileVersion = FileVersion });
            _stream.Flush();
            _lastFlush = _time.GetTimestamp();
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
        catch
        {
            lock (OpenDirectories) OpenDirectories.Remove(_directoryKey);
            _stream?.Dispose();
            throw;
        }
    }

    /// <summary>The run directory (full path).</summary>
    public string LogDirectory { get; }

    /// <summary>The event file this writer writes (full path; the name contains <c>tfevents</c>).</summary>
    public string FilePath { get; }

    /// <summary>Adds one scalar (PyTorch's <c>add_scalar</c>). TensorBoard stores it as a 32-bit float.</summary>
    /// <param name="tag">The series name, e.g. <c>train/loss</c>; TensorBoard groups series by the part before the first '/'.</param>
    /// <param name="value">The value (NaN and infinities are written as they are).</param>
    /// <param name="step">The global step (x axis), usually the optimizer step; ≥ 0.</param>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is empty or <paramref name="step"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void AddScalar(string tag, double value, long step)
    {
        CheckTag(tag);
        CheckStep(step);
        var summary = new Summary();
        summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        WriteSummary(summary, step);
    }

    /// <summary>Adds several scalars of the same step in one event (one file record).</summary>
    /// <param name="step">The global step; ≥ 0.</param>
    /// <param name="values">Tag and value pairs (tags as in <see cref="AddScalar"/>).</param>
    /// <exception cref="ArgumentException">A tag is empty or <paramref name="step"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void AddScalars(long step, IEnumerable<KeyValuePair<string, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckStep(step);
        var summary = new Summary();
        foreach (var (tag, value) in values)
        {
            CheckTag(tag);
            summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        }
        if (summary.Value.Count > 0) WriteSummary(summary, step);
    }

    /// <summary>Adds an image encoded as PNG (PyTorch's <c>add_image</c> takes pixels; this takes the file's bytes, e.g. a saved plot).</summary>
    /// <param name="tag">The image's name, e.g. <c>plots/loss</c>.</param>
    /// <param name="png">The PNG file's bytes; width, height and channels are read from its header.</param>
    /// <param name="step">The global step; ≥ 0.</param>
    /// <exception cref="ArgumentException">The tag is empty, the step negative, or <paramref name="png"/> is not a PNG image.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void AddImage(string tag, ReadOnlySpan<byte> png, long step)
    {
        CheckTag(tag);
        CheckStep(step);
        var header = PngHeader.Read(png, nameof(png));
        var summary = new Summary();
        summary.Value.Add(new Summary.Types.Value
        {
            Tag = tag,
            Image = new Summary.Types.Image
            {
                Height = header.Height,
                Width = header.Width,
                Colorspace = header.Channels,
                EncodedImageString = ByteString.CopyFrom(png),
            },
        });
        WriteSummary(summary, step);
    }

    /// <summary>Writes buffered events to the file, so that TensorBoard sees them now.</summary>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushCore();
        }
    }

    /// <summary>Flushes and closes the file and releases the run directory for another writer. Safe to call twice.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            try
            {
                _stream.Flush();
            }
            finally
            {
                _stream.Dispose();
                lock (OpenDirectories) OpenDirectories.Remove(_directoryKey);
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private void WriteSummary(Summary summary, long step)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Write(new Event { WallTime = WallTime(), Step = step, Summary = summary });
            if (_time.GetElapsedTime(_lastFlush) >= _flushInterval) FlushCore();
        }
    }

    private void FlushCore()
    {
        _stream.Flush();
        _lastFlush = _time.GetTimestamp();
    }

    private void Write(Event e)
    {
        _buffer.SetLength(0);
        e.WriteTo(_buffer);
        TfRecord.Write(_stream, _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
    }

    private double WallTime() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    private static void CheckTag(string tag)
    {
        if (string.IsNullOrEmpty(tag)) throw new ArgumentException("A tag must not be empty.", nameof(tag));
    }

    private static void CheckStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be >= 0.");
    }

    private static string SafeHostName()
    {
        string host;
        try
        {
            host = Environment.MachineName;
        }
        catch (InvalidOperationException)
        {
            host = "localhost";
        }
        var chars = host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return chars.Length == 0 ? "localhost" : new string(chars);
    }
}
