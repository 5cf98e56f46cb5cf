using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>Server session events: connect, publish, play (event ids 200-299).</summary>
internal static partial class SessionLog
{
    [LoggerMessage(200, LogLevel.Information, "[{ConnectionId}] Connected to application '{App}' (tcUrl {TcUrl}, flashVer {FlashVer})")]
    public static partial void Connected(ILogger logger, string connectionId, string app, string? tcUrl, string? flashVer);

    [LoggerMessage(201, LogLevel.Warning, "[{ConnectionId}] Connect rejected: {Reason}")]
    public static partial void ConnectRejected(ILogger logger, string connectionId, string reason);

    [LoggerMessage(202, LogLevel.Information, "[{ConnectionId}] Publishing {Stream} (as {Identity})")]
    public static partial void Publishing(ILogger logger, string connectionId, string stream, string identity);

    [LoggerMessage(203, LogLevel.Warning, "[{ConnectionId}] Publish of {Stream} refused: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string connectionId, string stream, string reason);

    [LoggerMessage(204, LogLevel.Information, "[{ConnectionId}] Stopped publishing {Stream} after {Messages} messages")]
    public static partial void Unpublished(ILogger logger, string connectionId, string stream, long messages);

    [LoggerMessage(205, LogLevel.Information, "[{ConnectionId}] Playing {Stream} (as {Identity})")]
    public static partial void Playing(ILogger logger, string connectionId, string stream, string identity);

    [LoggerMessage(206, LogLevel.Information, "[{ConnectionId}] Play of {Stream} refused: {Reason}")]
    public static partial void PlayRefused(ILogger logger, string connectionId, string stream, string reason);

    [LoggerMessage(207, LogLevel.Information, "[{ConnectionId}] Stopped playing {Stream} ({Dropped} messages dropped for a slow connection)")]
    public static partial void StoppedPlaying(ILogger logger, string connectionId, string stream, long dropped);

    [LoggerMessage(208, LogLevel.Debug, "[{ConnectionId}] Command {Name} (transaction {TransactionId}, stream {StreamId})")]
    public static partial void Command(ILogger logger, string connectionId, string name, double transactionId, uint streamId);

    [LoggerMessage(209, LogLevel.Debug, "[{ConnectionId}] Unknown command {Name} answered with _error")]
    public static partial void UnknownCommand(ILogger logger, string connectionId, string name);

    [LoggerMessage(210, LogLevel.Debug, "[{ConnectionId}] Ignored {Type} message of {Length} bytes on stream {StreamId}: nothing is published there")]
    public static partial void IgnoredMedia(ILogger logger, string connectionId, string type, int length, uint streamId);

    [LoggerMessage(211, LogLevel.Information, "[{ConnectionId}] Publishing {Stream} again: the stream continues, its destinations were kept")]
    public static partial void Continuing(ILogger logger, string connectionId, string stream);

    [LoggerMessage(212, LogLevel.Warning, "[{ConnectionId}] Took {Stream} over from the publisher that had it")]
    public static partial void TookOver(ILogger logger, string connectionId, string stream);

    [LoggerMessage(213, LogLevel.Information, "[{ConnectionId}] Keeping {Stream} and its destinations for {GraceSeconds} s for the publisher to come back")]
    public static partial void Bridging(ILogger logger, string connectionId, string stream, double graceSeconds);
}
