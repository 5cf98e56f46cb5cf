namespace RtmpRelay.Options;

/// <summary>The "Relay" configuration section.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Relay";

    /// <summary>
    /// Applications by name (the first path segment of rtmp://host/app/stream). A connect to an application not
    /// listed here is rejected. Default: none; the shipped appsettings.json defines "live".
    /// </summary>
    public Dictionary<string, ApplicationOptions> Applications { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Protocol limits and timeouts applied to every connection.</summary>
    public RtmpLimitsOptions Limits { get; set; } = new();

    /// <summary>How destinations are driven.</summary>
    public DestinationDefaultsOptions Destinations { get; set; } = new();

    /// <summary>Encrypted RTMP.</summary>
    public RtmpeOptions Rtmpe { get; set; } = new();

    /// <summary>RTMP tunnelled in HTTP.</summary>
    public RtmptOptions Rtmpt { get; set; } = new();

    /// <summary>The admin API, metrics and status page (Kestrel endpoint "Admin").</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary>Several relay nodes behind one address.</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Chunk size the relay sends with (to publishers, players and destinations). Default 4096.</summary>
    public int ChunkSize { get; set; } = 4096;

    /// <summary>Window Acknowledgement Size the relay announces to its peers, in bytes. Default 2,500,000.</summary>
    public uint WindowAcknowledgementSize { get; set; } = 2_500_000;

    /// <summary>
    /// Bytes queued for one player or destination before media is dropped; dropping resumes at the next keyframe,
    /// never mid-GOP, and metadata and sequence headers are always kept. Default 8 MiB (about 16 s at 4 Mbit/s).
    /// </summary>
    public int SendQueueBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Why binding the section failed (a value of the wrong type), reported by validation. Not configurable.</summary>
    internal string? BindingError { get; set; }
}
