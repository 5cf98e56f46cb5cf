namespace RtmpRelay.Options;

/// <summary>One application: who may publish and play, and where its streams are relayed.</summary>
public sealed class ApplicationOptions
{
    /// <summary>Whether encoders may publish to this application. Default true.</summary>
    public bool AllowPublish { get; set; } = true;

    /// <summary>Whether local players may play this application's live streams. Default true.</summary>
    public bool AllowPlay { get; set; } = true;

    /// <summary>Who may publish: keys, a callback, address ranges. Default: anyone who may connect.</summary>
    public AccessOptions Publish { get; set; } = new();

    /// <summary>Who may play: keys, a callback, address ranges. Default: anyone who may connect.</summary>
    public AccessOptions Play { get; set; } = new();

    /// <summary>
    /// How long a stream outlives its publisher (dropped, timed out or unpublished): the destinations stay connected,
    /// and a publisher that comes back on the same name within this time continues the same publish there.
    /// Zero turns bridging off. Default 10 s.
    /// </summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a new publisher on a name that is being published replaces the current one (which is disconnected;
    /// the destinations continue as after a reconnect). Default false: the first publisher keeps the name.
    /// </summary>
    public bool TakeOver { get; set; }

    /// <summary>Destinations by name; every stream published to this application is pushed to each. Default none.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
