using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RtmpRelay.Logging;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Hosting;

/// <summary>Connections dropped before their handshake: counted, and summed up at Information at most once a minute.</summary>
public class DroppedConnectionsTests
{
    private const int SummaryEventId = 109;

    private static List<LogEntry> Summaries(TestLogger logger) => logger.Entries.Where(e => e.EventId.Id == SummaryEventId).ToList();

    [Fact]
    public void Record_BeforeAMinute_LogsNothing()
    {
        var time = new FakeTimeProvider();
        using var dropped = new DroppedConnections(time);
        var logger = new TestLogger();

        dropped.Record(DropReason.Closed, logger);
        time.Advance(TimeSpan.FromSeconds(59));

        Assert.Empty(Summaries(logger));
    }

    [Fact]
    public void Record_ManyWithinAMinute_LogsOneInformationSummaryWithCountsByReason()
    {
        var time = new FakeTimeProvider();
        using var dropped = new DroppedConnections(time);
        var logger = new TestLogger();

        for (var i = 0; i < 40; i++)
        {
            dropped.Record(DropReason.Closed, logger);
        }
        for (var i = 0; i < 8; i++)
        {
            dropped.Record(DropReason.NotRtmp, logger);
        }
        dropped.Record(DropReason.TimedOut, logger);
        time.Advance(DroppedConnections.Interval);

        var summary = Assert.Single(Summaries(logger));
        Assert.Equal(LogLevel.Information, summary.Level);
        Assert.Equal(49, summary["Count"]);
        Assert.Equal("40 closed during the handshake, 8 sent something that is not RTMP, 1 timed out in the handshake", summary["Reasons"]);
    }

    [Fact]
    public void Record_SteadyStreamOfDrops_LogsAtMostOncePerMinute()
    {
        var time = new FakeTimeProvider();
        using var dropped = new DroppedConnections(time);
        var logger = new TestLogger();

        // One drop a second for five minutes.
        for (var second = 0; second < 300; second++)
        {
            dropped.Record(DropReason.Closed, logger);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var summaries = Summaries(logger);
        Assert.Equal(5, summaries.Count);
        Assert.All(summaries, s => Assert.Equal(60, s["Count"]));
    }

    [Fact]
    public void Record_AfterAQuietMinute_StartsANewWindow()
    {
        var time = new FakeTimeProvider();
        using var dropped = new DroppedConnections(time);
        var logger = new TestLogger();

        dropped.Record(DropReason.Closed, logger);
        time.Advance(TimeSpan.FromMinutes(5));
        dropped.Record(DropReason.TlsFailed, logger);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(Summaries(logger));
        time.Advance(TimeSpan.FromSeconds(30));

        var summaries = Summaries(logger);
        Assert.Equal(2, summaries.Count);
        Assert.Equal("1 failed the TLS handshake", summaries[1]["Reasons"]);
    }

    [Fact]
    public void Flush_NothingRecorded_LogsNothing()
    {
        var time = new FakeTimeProvider();
        using var dropped = new DroppedConnections(time);
        var logger = new TestLogger();

        dropped.Flush();
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Empty(Summaries(logger));
    }

    [Theory]
    [InlineData("peer closed the connection during the handshake", "Closed")]
    [InlineData("peer closed the connection in the middle of the handshake (12 bytes of a packet received)", "Closed")]
    [InlineData("transport closed: Connection reset by peer", "Closed")]
    [InlineData("handshake not completed within 10 s", "TimedOut")]
    [InlineData("not RTMP: first byte 0x47 ('G')", "NotRtmp")]
    [InlineData("TLS ClientHello on a plain RTMP endpoint (C0 0x16)", "NotRtmp")]
    [InlineData("RTMPE handshake (C0=0x06) is not enabled on this endpoint", "HandshakeFailed")]
    public void Classify_HandshakeReason_GivesItsKind(string reason, string expected) =>
        Assert.Equal(Enum.Parse<DropReason>(expected), DroppedConnections.Classify(reason));
}
