using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Options;

/// <summary>
/// The "Relay:Limits" section. Every limit is checked before anything is buffered, so one peer can hold at most
/// about MaxPendingBytes + the transport's read buffer of memory.
/// </summary>
public sealed class RtmpLimitsOptions
{
    /// <summary>Time a peer has to complete the handshake. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time a peer may stay silent while it owes bytes: before it publishes or plays, while it publishes, and in the
    /// middle of a message. Players may stay silent as long as they like. Default 30 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A destination that accepts no bytes for this long (its connection open, its receive window full) is dropped
    /// and retried, so a frozen platform never holds its queue forever. Default 10 s.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Refused publishes or plays from one address within a minute before that address is banned: its connections
    /// are closed at once for <see cref="AuthBanTime"/>. Default 5.
    /// </summary>
    public int MaxAuthFailures { get; set; } = 5;

    /// <summary>How long an address that failed authorization too often is turned away. Default 1 min.</summary>
    public TimeSpan AuthBanTime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest message accepted, in bytes. Default 8 MiB.</summary>
    public int MaxMessageLength { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most chunk streams one connection may use. Default 64.</summary>
    public int MaxChunkStreams { get; set; } = 64;

    /// <summary>Most bytes held for incomplete messages of one connection. Default 16 MiB.</summary>
    public int MaxPendingBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Deepest AMF nesting accepted in commands and metadata. Default 32.</summary>
    public int MaxAmfDepth { get; set; } = 32;

    /// <summary>Longest stream or application name accepted, in characters. Default 256.</summary>
    public int MaxNameLength { get; set; } = 256;

    internal ChunkReaderLimits ToChunkReaderLimits() => new()
    {
        MaxMessageLength = MaxMessageLength,
        MaxChunkStreams = MaxChunkStreams,
        MaxPendingBytes = MaxPendingBytes,
    };
}
