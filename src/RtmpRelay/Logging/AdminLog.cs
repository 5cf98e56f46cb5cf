using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>The admin API (event ids 900-999).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(900, LogLevel.Warning, "{Stream}: publisher kicked through the admin API; its destinations unpublish")]
    public static partial void Kicked(ILogger logger, string stream);

    [LoggerMessage(901, LogLevel.Information, "[{Stream} -> {Destination}] {Action} through the admin API")]
    public static partial void DestinationAction(ILogger logger, string stream, string destination, string action);
}
