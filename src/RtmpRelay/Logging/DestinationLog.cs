using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>Push destinations (event ids 400-499). URLs are logged with the stream key hidden.</summary>
internal static partial class DestinationLog
{
    [LoggerMessage(400, LogLevel.Information, "[{Stream} -> {Destination}] Connecting to {Url}")]
    public static partial void Connecting(ILogger logger, string stream, string destination, string url);

    [LoggerMessage(401, LogLevel.Information, "[{Stream} -> {Destination}] Publishing (remote stream id {StreamId})")]
    public static partial void Publishing(ILogger logger, string stream, string destination, uint streamId);

    [LoggerMessage(402, LogLevel.Warning, "[{Stream} -> {Destination}] Failed: {Failure}; retrying in {RetryMs} ms")]
    public static partial void Failed(ILogger logger, string stream, string destination, string failure, long retryMs);

    [LoggerMessage(403, LogLevel.Information, "[{Stream} -> {Destination}] Closed: {Reason} ({Dropped} messages dropped for a slow destination)")]
    public static partial void Closed(ILogger logger, string stream, string destination, string reason, long dropped);

    [LoggerMessage(404, LogLevel.Error, "[{Stream} -> {Destination}] Invalid destination URL: {Error}")]
    public static partial void InvalidUrl(ILogger logger, string stream, string destination, string error);

    [LoggerMessage(405, LogLevel.Error, "[{Stream} -> {Destination}] Destination loop failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, string stream, string destination, Exception exception);

    [LoggerMessage(406, LogLevel.Debug, "[{Stream} -> {Destination}] Status {Code}: {Description}")]
    public static partial void Status(ILogger logger, string stream, string destination, string? code, string? description);

    [LoggerMessage(407, LogLevel.Error, "[{Stream} -> {Destination}] Rejected: {Detail}: {Code} {Description}; retrying in {RetryMs} ms")]
    public static partial void Rejected(ILogger logger, string stream, string destination, string detail, string? code, string? description, long retryMs);

    [LoggerMessage(408, LogLevel.Warning, "[{Stream} -> {Destination}] {Failures} consecutive failures: switching to the {Target} URL")]
    public static partial void FailingOver(ILogger logger, string stream, string destination, int failures, string target);

    [LoggerMessage(409, LogLevel.Debug, "[{Stream} -> {Destination}] State {State}")]
    public static partial void StateChanged(ILogger logger, string stream, string destination, string state);

    [LoggerMessage(410, LogLevel.Information, "[{Stream} -> {Destination}] Stopped: {Reason}")]
    public static partial void Stopped(ILogger logger, string stream, string destination, string reason);

    [LoggerMessage(411, LogLevel.Information, "[{Stream} -> {Destination}] {Change} in the configuration")]
    public static partial void Reconfigured(ILogger logger, string stream, string destination, string change);
}
