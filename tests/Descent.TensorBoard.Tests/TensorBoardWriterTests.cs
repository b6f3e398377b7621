using System.Text.RegularExpressions;

namespace Descent.TensorBoard.Tests;

public sealed class TensorBoardWriterTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "descent-tb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static readonly DateTimeOffset GoldenTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500);

    private string WriteGoldenSequence(string directory)
    {
        using var writer = new TensorBoardWriter(directory, new TensorBoardWriterOptions { TimeProvider = new FixedClock(GoldenTime) });
        writer.AddScalar("train/loss", 0.25, 1);
        writer.AddScalars(2, [new("a", 1.5), new("b", -2)]);
        writer.AddImage("plots/tiny", File.ReadAllBytes(Fixture("tiny.png")), 300);
        return writer.FilePath;
    }

    [Fact]
    public void WritesTheGoldenBytesOfFixturesMakeGoldenPy()
    {
        string path = WriteGoldenSequence(Path.Combine(_root, "run"));
        Assert.Equal(File.ReadAllBytes(Fixture("golden.tfevents")), File.ReadAllBytes(path));
    }

    [Fact]
    public void GoldenFileStartsWithTensorFlowsWellKnownFirstRecordHeader()
    {
        // Every TensorFlow event file starts with the 24-byte file_version record: length 0x18, masked CRC a3 7f 4b 22.
        byte[] golden = File.ReadAllBytes(Fixture("golden.tfevents"));
        Assert.Equal(new byte[] { 0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22 }, golden[..12]);
        Assert.Equal(0xE3069283u, EventFileReader.Crc32C("123456789"u8));
    }

    [Fact]
    public void IndependentReaderDecodesEveryRecordAndField()
    {
        string path = WriteGoldenSequence(Path.Combine(_root, "run"));
        var events = EventFileReader.Read(path);
        Assert.Equal(4, events.Count);
        Assert.All(events, e => Assert.Equal(1_700_000_000.5, e.WallTime));
        Assert.Equal(("brain.Event:2", 0L), (events[0].FileVersion, events[0].Step));
        Assert.Null(events[0].Summary);
        Assert.Equal(1, events[1].Step);
        Assert.Equal([new EventFileReader.Value("train/loss", 0.25f, null)], events[1].Summary!);
        Assert.Equal(2, events[2].Step);
        Assert.Equal([new EventFileReader.Value("a", 1.5f, null), new EventFileReader.Value("b", -2f, null)], events[2].Summary!);
        Assert.Equal(300, events[3].Step);
        var image = Assert.Single(events[3].Summary!);
        Assert.Equal("plots/tiny", image.Tag);
        Assert.Null(image.Simple);
        Assert.Equal((1, 2, 4), (image.Image!.Height, image.Image.Width, image.Image.Colorspace));
        Assert.Equal(File.ReadAllBytes(Fixture("tiny.png")), image.Image.Encoded);
    }

    [Fact]
    public void AnySingleFlippedByteIsRejectedByTheCrcs()
    {
        byte[] golden = File.ReadAllBytes(Fixture("golden.tfevents"));
        Assert.Equal(4, EventFileReader.Records(golden).Count);
        for (int i = 0; i < golden.Length; i++)
        {
            byte[] bad = (byte[])golden.Clone();
            bad[i] ^= 0x01;
            Assert.Throws<InvalidDataException>(() => EventFileReader.Records(bad));
            bad[i] ^= 0x81;
            Assert.Throws<InvalidDataException>(() => EventFileReader.Records(bad));
        }
        Assert.Throws<InvalidDataException>(() => EventFileReader.Records(golden.AsSpan(0, golden.Length - 1)));
    }

    [Fact]
    public void MaskedCrcMatchesTheIndependentImplementation()
    {
        var random = new Random(7);
        for (int n = 0; n <= 257; n++)
        {
            byte[] data = new byte[n];
            random.NextBytes(data);
            Assert.Equal(EventFileReader.Masked(data), TfRecord.MaskedCrc32C(data));
        }
    }

    [Fact]
    public void FileNameFollowsTensorFlowAndLivesInTheRunDirectory()
    {
        string dir = Path.Combine(_root, "nested", "run");
        using var writer = new TensorBoardWriter(dir, new TensorBoardWriterOptions { TimeProvider = new FixedClock(GoldenTime), FileNameSuffix = ".v2" });
        Assert.Equal(Path.GetFullPath(dir), writer.LogDirectory);
        Assert.Equal(Path.GetFullPath(dir), Path.GetDirectoryName(writer.FilePath));
        Assert.Matches(new Regex(@"^events\.out\.tfevents\.1700000000\.[A-Za-z0-9_.-]+\." + Environment.ProcessId + @"\.\d+\.v2$"), Path.GetFileName(writer.FilePath));
    }

    [Fact]
    public void EventsReachTheFileWhileTheWriterIsOpen()
    {
        using var writer = new TensorBoardWriter(Path.Combine(_root, "live"), new TensorBoardWriterOptions { FlushInterval = TimeSpan.Zero });
        Assert.Single(ReadShared(writer.FilePath)); // the version event is flushed at once
        writer.AddScalar("loss", 1, 1);
        Assert.Equal(2, ReadShared(writer.FilePath).Count);

        using var slow = new TensorBoardWriter(Path.Combine(_root, "slow"), new TensorBoardWriterOptions { FlushInterval = TimeSpan.FromHours(1) });
        slow.AddScalar("loss", 1, 1);
        Assert.Single(ReadShared(slow.FilePath));
        slow.Flush();
        Assert.Equal(2, ReadShared(slow.FilePath).Count);
    }

    private static List<byte[]> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return EventFileReader.Records(bytes);
    }

    [Fact]
    public void OneWriterPerRunDirectory()
    {
        string dir = Path.Combine(_root, "run");
        var first = new TensorBoardWriter(dir);
        var ex = Assert.Throws<InvalidOperationException>(() => new TensorBoardWriter(dir + Path.DirectorySeparatorChar));
        Assert.Contains("one writer per run directory", ex.Message);
        using (var other = new TensorBoardWriter(Path.Combine(_root, "other"))) { }
        first.Dispose();
        first.Dispose();
        using var second = new TensorBoardWriter(dir);
        Assert.NotEqual(first.FilePath, second.FilePath);
        Assert.Equal(2, Directory.GetFiles(dir, "*tfevents*").Length);
    }

    [Fact]
    public void BadInputThrowsAndWritesNothing()
    {
        using var writer = new TensorBoardWriter(Path.Combine(_root, "run"), new TensorBoardWriterOptions { FlushInterval = TimeSpan.Zero });
        Assert.Throws<ArgumentException>(() => writer.AddScalar("", 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddScalar("x", 1, -1));
        Assert.Throws<ArgumentException>(() => writer.AddScalars(0, [new("ok", 1), new("", 2)]));
        var notPng = Assert.Throws<ArgumentException>(() => writer.AddImage("img", "GIF89a not a png at all....."u8, 0));
        Assert.Contains("PNG", notPng.Message);
        writer.Flush();
        Assert.Single(ReadShared(writer.FilePath));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.AddScalar("x", 1, 0));
        Assert.Throws<ArgumentException>(() => new TensorBoardWriter(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBoardWriter(Path.Combine(_root, "neg"), new TensorBoardWriterOptions { FlushInterval = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentException>(() => new TensorBoardWriter(Path.Combine(_root, "bad"), new TensorBoardWriterOptions { FileNameSuffix = "a/b" }));
        Assert.False(Directory.Exists(Path.Combine(_root, "neg")));
    }

    [Fact]
    public void ConcurrentWritersThreadsInterleaveWholeRecords()
    {
        string path;
        using (var writer = new TensorBoardWriter(Path.Combine(_root, "threads")))
        {
            path = writer.FilePath;
            Parallel.For(0, 4, t =>
            {
                for (int i = 0; i < 200; i++) writer.AddScalar($"t{t}", i, i);
            });
        }
        var events = EventFileReader.Read(path);
        Assert.Equal(801, events.Count);
        for (int t = 0; t < 4; t++)
            Assert.Equal(Enumerable.Range(0, 200).Select(i => (float)i), events.Skip(1).Select(e => e.Summary![0]).Where(v => v.Tag == $"t{t}").Select(v => v.Simple!.Value));
    }
}
