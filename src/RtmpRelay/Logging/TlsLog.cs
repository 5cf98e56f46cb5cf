using Microsoft.Extensions.Logging;

namespace RtmpRelay.Logging;

/// <summary>TLS on ingest and towards destinations (event ids 500-599).</summary>
internal static partial class TlsLog
{
    /// <summary>
    /// Debug: a connection that never got through TLS (a port scan, plain RTMP or garbage on the TLS port, a failed or
    /// stalled TLS handshake) is noise; <see cref="DroppedConnections"/> sums them up at Information once a minute.
    /// </summary>
    [LoggerMessage(500, LogLevel.Debug, "[{ConnectionId}] Dropped on the TLS endpoint: {Reason}")]
    public static partial void Dropped(ILogger logger, string connectionId, string reason);

    [LoggerMessage(501, LogLevel.Warning, "[{Stream} -> {Destination}] Certificate validation is turned off for this destination (AllowInvalidCertificate): the connection is encrypted but not authenticated")]
    public static partial void ValidationDisabled(ILogger logger, string stream, string destination);

    [LoggerMessage(502, LogLevel.Warning, "Created a self-signed development certificate at {CertificatePath} (key {KeyPath}); use a real certificate in production")]
    public static partial void DevelopmentCertificateCreated(ILogger logger, string certificatePath, string keyPath);
}
