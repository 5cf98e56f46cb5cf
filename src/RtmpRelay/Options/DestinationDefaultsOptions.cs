namespace RtmpRelay.Options;

/// <summary>The "Relay:Destinations" section: how every destination is connected and retried.</summary>
public sealed class DestinationDefaultsOptions
{
    /// <summary>Time to wait before reconnecting a destination that failed, while its stream lives. Default 3 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Time allowed for TCP connect, handshake, connect and publish to succeed. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
