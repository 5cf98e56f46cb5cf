using Microsoft.Extensions.Logging;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Logging;

/// <summary>Connection lifetime and protocol-level events (event ids 100-199).</summary>
internal static partial class ConnectionLog
{
    [LoggerMessage(100, LogLevel.Debug, "[{ConnectionId}] Connection from {RemoteEndPoint}")]
    public static partial void Accepted(ILogger logger, string connectionId, string? remoteEndPoint);

    [LoggerMessage(101, LogLevel.Debug, "[{ConnectionId}] Handshake done: {Kind}, client version {Version}, digest scheme {Scheme}, C2 signature valid {SignatureValid}")]
    public static partial void HandshakeDone(ILogger logger, string connectionId, string kind, byte version, int scheme, bool? signatureValid);

    [LoggerMessage(102, LogLevel.Information, "[{ConnectionId}] Connection closed: {Reason}")]
    public static partial void Closed(ILogger logger, string connectionId, string reason);

    [LoggerMessage(103, LogLevel.Warning, "[{ConnectionId}] Connection closed on a protocol error: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string connectionId, string reason);

    [LoggerMessage(104, LogLevel.Error, "[{ConnectionId}] Connection failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(105, LogLevel.Trace, "[{ConnectionId}] Received {Type} ({Length} bytes, ts {Timestamp}, stream {StreamId})")]
    public static partial void MessageReceived(ILogger logger, string connectionId, RtmpMessageType type, int length, uint timestamp, uint streamId);

    [LoggerMessage(106, LogLevel.Debug, "[{ConnectionId}] Peer set its chunk size to {ChunkSize}")]
    public static partial void PeerChunkSize(ILogger logger, string connectionId, int chunkSize);

    [LoggerMessage(107, LogLevel.Debug, "[{ConnectionId}] Ignored message of type {Type} ({Length} bytes)")]
    public static partial void Ignored(ILogger logger, string connectionId, byte type, int length);

    [LoggerMessage(108, LogLevel.Debug, "[{ConnectionId}] Peer window acknowledgement size {Size}")]
    public static partial void PeerWindow(ILogger logger, string connectionId, uint size);
}
