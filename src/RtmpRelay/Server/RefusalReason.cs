namespace RtmpRelay.Server;

/// <summary>Which count limit refused a peer; the rtmprelay_refused_total metric's reason label.</summary>
internal enum RefusalReason
{
    /// <summary>Relay:Limits:MaxConnections.</summary>
    Connections,

    /// <summary>Relay:Limits:MaxConnectionsPerAddress.</summary>
    ConnectionsPerAddress,

    /// <summary>Relay:Limits:MaxStreams.</summary>
    Streams,

    /// <summary>Relay:Limits:MaxPlayersPerStream.</summary>
    Players,

    /// <summary>Relay:Limits:MaxChunkStreams.</summary>
    ChunkStreams,

    /// <summary>Relay:Limits:MaxMessageLength.</summary>
    MessageSize,
}
