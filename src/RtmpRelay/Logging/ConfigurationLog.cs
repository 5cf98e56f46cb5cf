using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>Configuration reloads (event ids 700-799).</summary>
internal static partial class ConfigurationLog
{
    [LoggerMessage(700, LogLevel.Information, "Configuration changed: the new configuration is in effect")]
    public static partial void Applied(ILogger logger);

    [LoggerMessage(701, LogLevel.Error, "Configuration change rejected, the running configuration stays: {Errors}")]
    public static partial void Rejected(ILogger logger, string errors);

    [LoggerMessage(702, LogLevel.Error, "Applying the configuration change failed")]
    public static partial void ApplyFailed(ILogger logger, Exception exception);
}
