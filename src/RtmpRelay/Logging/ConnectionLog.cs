using Microsoft.Extensions.Logging;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Logging;

/// <summary>
/// Connection lifetime and protocol-level events (event ids 100-199). A connection that ends before its RTMP handshake
/// is done (a port scan, a peer that closes or sends garbage, a handshake that times out) is noise on a public port:
/// its close is logged at Debug, counted in <see cref="DroppedConnections.Shared"/>, and summed up at Information at
/// most once a minute; protocol errors after the handshake stay at Warning. Event ids are the same in both cases.
/// </summary>
internal static partial class ConnectionLog
{
    /// <summary>
    /// The connection whose handshake this flow is in, from <see cref="Accepted"/> to <see cref="HandshakeDone"/>.
    /// The connection handler logs both from the one async method that runs the connection, so the value flows to its
    /// later log calls and no further up (an async method's changes never reach its caller).
    /// </summary>
    private static readonly AsyncLocal<string?> Handshaking = new();

    public static void Accepted(ILogger logger, string connectionId, string? remoteEndPoint)
    {
        Handshaking.Value = connectionId;
        LogAccepted(logger, connectionId, remoteEndPoint);
    }

    public static void HandshakeDone(ILogger logger, string connectionId, string kind, byte version, int scheme, bool? signatureValid)
    {
        EndHandshake(connectionId);
        LogHandshakeDone(logger, connectionId, kind, version, scheme, signatureValid);
    }

    /// <summary>A connection that ended without a protocol error; at Debug (and counted) when still in the handshake.</summary>
    public static void Closed(ILogger logger, string connectionId, string reason)
    {
        if (EndHandshake(connectionId))
        {
            DroppedConnections.Shared.Record(DroppedConnections.Classify(reason), logger);
            LogClosed(logger, LogLevel.Debug, connectionId, reason);
            return;
        }
        LogClosed(logger, LogLevel.Information, connectionId, reason);
    }

    /// <summary>A connection closed on a protocol error: Warning, or Debug (and counted) when still in the handshake.</summary>
    public static void ProtocolError(ILogger logger, string connectionId, string reason)
    {
        if (EndHandshake(connectionId))
        {
            DroppedConnections.Shared.Record(DroppedConnections.Classify(reason), logger);
            LogProtocolError(logger, LogLevel.Debug, connectionId, reason);
            return;
        }
        LogProtocolError(logger, LogLevel.Warning, connectionId, reason);
    }

    /// <summary>A connection closed for going past a limit: Debug, since the refusal itself is logged (once a minute per address).</summary>
    public static void ClosedOnLimit(ILogger logger, string connectionId, string reason)
    {
        EndHandshake(connectionId);
        LogProtocolError(logger, LogLevel.Debug, connectionId, reason);
    }

    public static void Unexpected(ILogger logger, string connectionId, Exception exception)
    {
        EndHandshake(connectionId);
        LogUnexpected(logger, connectionId, exception);
    }

    /// <summary>True when <paramref name="connectionId"/> was still in its handshake (which it no longer is).</summary>
    private static bool EndHandshake(string connectionId)
    {
        if (Handshaking.Value is { } id && id == connectionId)
        {
            Handshaking.Value = null;
            return true;
        }
        return false;
    }

    [LoggerMessage(100, LogLevel.Debug, "[{ConnectionId}] Connection from {RemoteEndPoint}")]
    private static partial void LogAccepted(ILogger logger, string connectionId, string? remoteEndPoint);

    [LoggerMessage(101, LogLevel.Debug, "[{ConnectionId}] Handshake done: {Kind}, client version {Version}, digest scheme {Scheme}, C2 signature valid {SignatureValid}")]
    private static partial void LogHandshakeDone(ILogger logger, string connectionId, string kind, byte version, int scheme, bool? signatureValid);

    /// <summary>Information; Debug for a connection that never finished its handshake.</summary>
    [LoggerMessage(EventId = 102, Message = "[{ConnectionId}] Connection closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, LogLevel level, string connectionId, string reason);

    /// <summary>Warning; Debug for a connection that never finished its handshake.</summary>
    [LoggerMessage(EventId = 103, Message = "[{ConnectionId}] Connection closed on a protocol error: {Reason}")]
    private static partial void LogProtocolError(ILogger logger, LogLevel level, string connectionId, string reason);

    [LoggerMessage(104, LogLevel.Error, "[{ConnectionId}] Connection failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(105, LogLevel.Trace, "[{ConnectionId}] Received {Type} ({Length} bytes, ts {Timestamp}, stream {StreamId})")]
    public static partial void MessageReceived(ILogger logger, string connectionId, RtmpMessageType type, int length, uint timestamp, uint streamId);

    [LoggerMessage(106, LogLevel.Debug, "[{ConnectionId}] Peer set its chunk size to {ChunkSize}")]
    public static partial void PeerChunkSize(ILogger logger, string connectionId, int chunkSize);

    [LoggerMessage(107, LogLevel.Debug, "[{ConnectionId}] Ignored message of type {Type} ({Length} bytes)")]
    public static partial void Ignored(ILogger logger, string connectionId, byte type, int length);

    [LoggerMessage(108, LogLevel.Debug, "[{ConnectionId}] Peer window acknowledgement size {Size}")]
    public static partial void PeerWindow(ILogger logger, string connectionId, uint size);

    [LoggerMessage(109, LogLevel.Information, "{Count} connection(s) dropped before their handshake in the last minute ({Reasons}); each is logged at Debug")]
    public static partial void DroppedSummary(ILogger logger, int count, string reasons);
}

/// <summary>
/// Counts connections dropped before their handshake (RTMP or TLS) and logs one Information summary of them, at most
/// once per <see cref="Interval"/>: the first drop after a quiet period arms a timer, which logs what was counted
/// until it fires. Time comes from a <see cref="TimeProvider"/>.
/// </summary>
internal sealed class DroppedConnections : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Before Shared: static fields are initialised in the order they are written.
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();

    /// <summary>The relay's counter (the connection handler and the TLS middleware log through static methods).</summary>
    public static DroppedConnections Shared { get; } = new(TimeProvider.System);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly int[] _counts = new int[Reasons.Length];
    private ITimer? _timer;
    private ILogger? _logger;

    public DroppedConnections(TimeProvider time) => _time = time;

    /// <summary>Counts one dropped connection; <paramref name="logger"/> is where the summary goes.</summary>
    public void Record(DropReason reason, ILogger logger)
    {
        lock (_gate)
        {
            _counts[(int)reason]++;
            _logger = logger;
            if (_timer is null)
            {
                _timer = _time.CreateTimer(_ => Flush(), null, Interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Logs the summary of what was counted (if anything) and starts over; the timer calls it.</summary>
    public void Flush()
    {
        int total;
        string reasons;
        ILogger? logger;
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            logger = _logger;
            total = _counts.Sum();
            reasons = Describe(_counts);
            Array.Clear(_counts);
        }
        if (total > 0 && logger is not null)
        {
            ConnectionLog.DroppedSummary(logger, total, reasons);
        }
    }

    /// <summary>"12 closed during the handshake, 3 sent something that is not RTMP", largest first.</summary>
    public static string Describe(IReadOnlyList<int> counts) =>
        string.Join(", ", Reasons.Where(r => counts[(int)r] > 0)
            .OrderByDescending(r => counts[(int)r]).ThenBy(r => r)
            .Select(r => $"{counts[(int)r]} {Text(r)}"));

    private static string Text(DropReason reason) => reason switch
    {
        DropReason.Closed => "closed during the handshake",
        DropReason.TimedOut => "timed out in the handshake",
        DropReason.NotRtmp => "sent something that is not RTMP",
        DropReason.NotTls => "sent something that is not TLS to a TLS port",
        DropReason.TlsFailed => "failed the TLS handshake",
        _ => "failed the RTMP handshake",
    };

    /// <summary>The kind of a handshake-time close, from the reason the connection handler logs.</summary>
    public static DropReason Classify(string reason) =>
        reason.StartsWith("peer closed", StringComparison.Ordinal) || reason.StartsWith("transport closed", StringComparison.Ordinal) ? DropReason.Closed
        : reason.StartsWith("handshake not completed", StringComparison.Ordinal) ? DropReason.TimedOut
        : reason.StartsWith("not RTMP", StringComparison.Ordinal) || reason.StartsWith("TLS ClientHello", StringComparison.Ordinal) ? DropReason.NotRtmp
        : DropReason.HandshakeFailed;

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}

/// <summary>Why a connection was dropped before its handshake, as <see cref="DroppedConnections"/> counts it.</summary>
internal enum DropReason
{
    Closed,
    TimedOut,
    NotRtmp,
    NotTls,
    TlsFailed,
    HandshakeFailed,
}
