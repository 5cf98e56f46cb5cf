using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Options;

/// <summary>
/// The "Relay:Limits" section. Every limit is checked before anything is buffered, so one peer can hold at most
/// about MaxPendingBytes + the transport's read buffer of memory.
/// </summary>
public sealed class RtmpLimitsOptions
{
    /// <summary>Time a peer has to complete the handshake: RTMP, RTMPE, and TLS from its ClientHello on. Default 5 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time after the handshake for a peer to connect and start publishing or playing. Default 10 s.</summary>
    public TimeSpan SessionStartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A publisher that sends no audio or video for this long is closed (pings and acknowledgements do not count). Default 15 s.</summary>
    public TimeSpan PublisherIdleTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Time an HTTP (RTMPT) client has to send a request's headers. Default 5 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Slowest request body an HTTP (RTMPT) client may send, in bytes per second, after a 5 s grace. Default 240.</summary>
    public double MinRequestBodyRate { get; set; } = 240;

    /// <summary>
    /// Time a peer may stay silent while it owes bytes: before it publishes or plays, while it publishes, and in the
    /// middle of a message. Players may stay silent as long as they like. Default 30 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A player or destination that accepts no bytes for this long (its connection open, its receive window full) is
    /// dropped (a destination is then retried), so a frozen peer never holds its queue forever. Default 10 s.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Refused publishes or plays from one address within a minute before that address is banned: its connections
    /// are closed at once for <see cref="AuthBanTime"/>. Default 5.
    /// </summary>
    public int MaxAuthFailures { get; set; } = 5;

    /// <summary>How long an address that failed authorization too often is turned away. Default 1 min.</summary>
    public TimeSpan AuthBanTime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most bytes of media queued for all players and destinations together; past it, the peers furthest behind lose
    /// whole GOPs (as when their own <see cref="RelayOptions.SendQueueBytes"/> is full). Default 256 MiB.
    /// </summary>
    public long MaxQueuedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// A player or destination that lost this many GOPs in a row (its queue never found room for a keyframe) is too
    /// slow for the stream and is dropped. Default 5.
    /// </summary>
    public int MaxDroppedGops { get; set; } = 5;

    /// <summary>Most RTMP connections open at once (every transport). Default 1000.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Most RTMP connections open at once from one client address. Default 100.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>Most live streams (with a publisher or waiting for one to reconnect). Default 200.</summary>
    public int MaxStreams { get; set; } = 200;

    /// <summary>Most local players of one stream. Default 100.</summary>
    public int MaxPlayersPerStream { get; set; } = 100;

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
