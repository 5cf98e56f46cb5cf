using Microsoft.Extensions.Logging;
using RtmpRelay.Logging;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Hosting;

/// <summary>
/// A connection that ends in its handshake is noise (Debug); one that ends on a protocol error after it is a Warning.
/// Event ids stay the same either way.
/// </summary>
public class ConnectionLogLevelTests
{
    private const int Closed = 102;
    private const int ProtocolError = 103;

    // Each test runs the log calls in its own async flow, as the connection handler does.
    private static async Task<IReadOnlyList<LogEntry>> RunConnectionAsync(Action<TestLogger> calls)
    {
        var logger = new TestLogger();
        await Task.Run(() => calls(logger));
        return logger.Entries;
    }

    [Fact]
    public async Task ProtocolError_DuringHandshake_IsDebug()
    {
        var entries = await RunConnectionAsync(logger =>
        {
            ConnectionLog.Accepted(logger, "c1", "127.0.0.1:5000");
            ConnectionLog.ProtocolError(logger, "c1", "peer closed the connection during the handshake");
        });

        var entry = Assert.Single(entries, e => e.EventId.Id == ProtocolError);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("[c1] Connection closed on a protocol error: peer closed the connection during the handshake", entry.Message);
    }

    [Fact]
    public async Task Closed_TransportResetDuringHandshake_IsDebug()
    {
        var entries = await RunConnectionAsync(logger =>
        {
            ConnectionLog.Accepted(logger, "c2", "127.0.0.1:5000");
            ConnectionLog.Closed(logger, "c2", "transport closed: Connection reset by peer");
        });

        Assert.Equal(LogLevel.Debug, Assert.Single(entries, e => e.EventId.Id == Closed).Level);
    }

    [Fact]
    public async Task ProtocolError_AfterHandshake_IsWarning()
    {
        var entries = await RunConnectionAsync(logger =>
        {
            ConnectionLog.Accepted(logger, "c3", "127.0.0.1:5000");
            ConnectionLog.HandshakeDone(logger, "c3", "Simple", 3, 0, null);
            ConnectionLog.ProtocolError(logger, "c3", "Command 'play' before connect.");
        });

        Assert.Equal(LogLevel.Warning, Assert.Single(entries, e => e.EventId.Id == ProtocolError).Level);
    }

    [Fact]
    public async Task Closed_AfterHandshake_IsInformation()
    {
        var entries = await RunConnectionAsync(logger =>
        {
            ConnectionLog.Accepted(logger, "c4", "127.0.0.1:5000");
            ConnectionLog.HandshakeDone(logger, "c4", "Digest", 3, 1, true);
            ConnectionLog.Closed(logger, "c4", "peer closed the connection");
        });

        Assert.Equal(LogLevel.Information, Assert.Single(entries, e => e.EventId.Id == Closed).Level);
    }

    [Fact]
    public async Task ProtocolError_WithoutAccepted_IsWarning()
    {
        var entries = await RunConnectionAsync(logger => ConnectionLog.ProtocolError(logger, "c5", "Set Chunk Size to 0."));

        Assert.Equal(LogLevel.Warning, Assert.Single(entries, e => e.EventId.Id == ProtocolError).Level);
    }
}
