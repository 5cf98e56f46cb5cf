using Microsoft.AspNetCore.Server.Kestrel.Core;
using RtmpRelay.Options;

namespace RtmpRelay.Hosting;

/// <summary>
/// Kestrel's HTTP deadlines (the RTMPT, RTMPTS and admin endpoints) from Relay:Limits, so a slowloris client is closed
/// as fast as a stalled RTMP handshake: request headers within RequestHeadersTimeout, bodies at MinRequestBodyRate,
/// TLS within HandshakeTimeout, and a connection with no request at all within Relay:Rtmpt:SessionIdleTimeout.
/// Read once at start-up (Kestrel does not change its limits while it runs).
/// </summary>
internal static class HttpLimits
{
    private static readonly TimeSpan BodyRateGrace = TimeSpan.FromSeconds(5);

    public static void Apply(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        var options = new RelayOptions();
        try
        {
            configuration.GetSection(RelayOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException)
        {
            // A value that does not bind: validation reports it and the relay does not start.
        }
        var limits = options.Limits;
        kestrel.Limits.RequestHeadersTimeout = Positive(limits.RequestHeadersTimeout, kestrel.Limits.RequestHeadersTimeout);
        kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyRate > 0 ? new MinDataRate(limits.MinRequestBodyRate, BodyRateGrace) : null;
        kestrel.Limits.KeepAliveTimeout = Positive(options.Rtmpt.SessionIdleTimeout, kestrel.Limits.KeepAliveTimeout);
        var handshake = Positive(limits.HandshakeTimeout, TimeSpan.FromSeconds(10));
        kestrel.ConfigureHttpsDefaults(https => https.HandshakeTimeout = handshake);
    }

    private static TimeSpan Positive(TimeSpan value, TimeSpan otherwise) => value > TimeSpan.Zero ? value : otherwise;
}
