namespace RtmpRelay.Options;

/// <summary>The "Relay:Destinations" section: how every destination is connected and retried.</summary>
public sealed class DestinationDefaultsOptions
{
    /// <summary>Backoff between attempts of a failed destination, while its stream lives.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Time allowed for DNS, TCP connect, TLS, handshake, connect and publish to succeed. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
