namespace RtmpRelay.Protocol;

/// <summary>
/// A peer broke the protocol (or a configured limit). The connection that raised it is closed,
/// and <see cref="Exception.Message"/> is the reason logged for that close.
/// </summary>
public class RtmpProtocolException : Exception
{
    public RtmpProtocolException(string reason) : base(reason) { }

    /// <summary>The configured count or size limit the peer went past (e.g. "MaxChunkStreams"), when that was the reason.</summary>
    public string? Limit { get; init; }
}
