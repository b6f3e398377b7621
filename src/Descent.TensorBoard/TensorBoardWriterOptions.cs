namespace Descent.TensorBoard;

/// <summary>Options of a <see cref="TensorBoardWriter"/>.</summary>
public sealed record TensorBoardWriterOptions
{
    /// <summary>
    /// The longest time an event waits in memory before the file is flushed, so that a running TensorBoard sees it
    /// (default 2 seconds; <see cref="TimeSpan.Zero"/> flushes after every event). PyTorch's <c>SummaryWriter</c> calls this
    /// <c>flush_secs</c> (default 120 s).
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock that stamps each event's <c>wall_time</c> and the file name (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Appended to the event file's name (default empty; PyTorch's <c>filename_suffix</c>).</summary>
    public string FileNameSuffix { get; init; } = "";
}
