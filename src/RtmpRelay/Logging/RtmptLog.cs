using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>RTMPT sessions and the HTTP front door (event ids 600-699). Session ids are secrets: never logged.</summary>
internal static partial class RtmptLog
{
    [LoggerMessage(600, LogLevel.Debug, "[{ConnectionId}] RTMPT session opened for {Client}")]
    public static partial void Opened(ILogger logger, string connectionId, string? client);

    [LoggerMessage(601, LogLevel.Information, "[{ConnectionId}] RTMPT session closed: {Reason}")]
    public static partial void Closed(ILogger logger, string connectionId, string reason);

    [LoggerMessage(602, LogLevel.Warning, "RTMPT session for {Client} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string? client, string reason);

    [LoggerMessage(603, LogLevel.Debug, "RTMPT {Path} from {Client} answered {Status}: {Reason}")]
    public static partial void Rejected(ILogger logger, string path, string? client, int status, string reason);

    [LoggerMessage(604, LogLevel.Debug, "RTMPT request for node {Node}'s session forwarded to {Address}")]
    public static partial void Forwarded(ILogger logger, string node, string address);

    [LoggerMessage(605, LogLevel.Warning, "RTMPT request for node {Node}'s session could not be forwarded: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, string node, string reason);
}
