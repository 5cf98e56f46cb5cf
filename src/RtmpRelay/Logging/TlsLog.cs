using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>TLS on ingest and towards destinations (event ids 500-599).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(500, LogLevel.Warning, "[{ConnectionId}] Dropped on the TLS endpoint: {Reason}")]
    public static partial void Dropped(ILogger logger, string connectionId, string reason);

    [LoggerMessage(501, LogLevel.Warning, "[{Stream} -> {Destination}] Certificate validation is turned off for this destination (AllowInvalidCertificate): the connection is encrypted but not authenticated")]
    public static partial void ValidationDisabled(ILogger logger, string stream, string destination);

    [LoggerMessage(502, LogLevel.Warning, "Created a self-signed development certificate at {CertificatePath} (key {KeyPath}); use a real certificate in production")]
    public static partial void DevelopmentCertificateCreated(ILogger logger, string certificatePath, string keyPath);
}
