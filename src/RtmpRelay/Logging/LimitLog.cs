using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>Count limits (event ids 1000-1099): refusals, logged once per address and reason per minute.</summary>
internal static partial class LimitLog
{
    [LoggerMessage(1000, LogLevel.Warning, "[{ConnectionId}] Refused {Address}: {Detail}{Suppressed}")]
    public static partial void Refused(ILogger logger, string connectionId, string address, string detail, string suppressed);
}
