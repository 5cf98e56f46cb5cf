using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>Authorization (event ids 800-899). Never a key, a token or a URL query.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(800, LogLevel.Warning, "{Address} refused {Failures} times within a minute: its connections are closed for {BanSeconds} s")]
    public static partial void Banned(ILogger logger, string address, int failures, double banSeconds);

    [LoggerMessage(801, LogLevel.Information, "{Address} is still banned ({Refused} connections closed in the last minute, {LeftSeconds:0} s left)")]
    public static partial void StillBanned(ILogger logger, string address, long refused, double leftSeconds);

    [LoggerMessage(802, LogLevel.Warning, "Application '{App}' relays to {Destinations} destinations and has no publish rule: it is an open relay (anyone who reaches it publishes to them). Set Relay:Applications:{App}:Publish:Keys, :Callback or :AllowFrom")]
    public static partial void OpenRelay(ILogger logger, string app, int destinations);

    [LoggerMessage(803, LogLevel.Debug, "[{ConnectionId}] Closed at once: {Address} is banned")]
    public static partial void ClosedBanned(ILogger logger, string connectionId, string address);
}
