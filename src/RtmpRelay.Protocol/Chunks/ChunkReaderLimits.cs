namespace RtmpRelay.Protocol.Chunks;

/// <summary>Limits that bound what one peer can make the chunk reader hold. Checked before buffering.</summary>
public sealed class ChunkReaderLimits
{
    /// <summary>Largest message length accepted, in bytes. Default 8 MiB (a 4K keyframe is well under 4 MiB).</summary>
    public int MaxMessageLength { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most distinct chunk stream ids one connection may use. Default 64 (encoders use fewer than 10).</summary>
    public int MaxChunkStreams { get; init; } = 64;

    /// <summary>Most payload bytes buffered for incomplete messages across all chunk streams. Default 16 MiB.</summary>
    public int MaxPendingBytes { get; init; } = 16 * 1024 * 1024;

    public static ChunkReaderLimits Default { get; } = new();
}
