namespace RtmpRelay.Destinations;

/// <summary>Why an attempt to push to a destination failed. The retry rule and the log level follow from it.</summary>
internal enum DestinationFailureKind
{
    /// <summary>The host name did not resolve.</summary>
    Dns,

    /// <summary>No connection: refused, unreachable, or the RTMPT tunnel could not be opened.</summary>
    Refused,

    /// <summary>The TLS handshake failed or the certificate was not accepted.</summary>
    Tls,

    /// <summary>The RTMP (or RTMPE) handshake failed.</summary>
    Handshake,

    /// <summary>The platform refused connect, createStream or publish (a bad key, a name in use) with an onStatus code.</summary>
    Rejected,

    /// <summary>No answer within the connect timeout.</summary>
    TimedOut,

    /// <summary>The destination closed the connection.</summary>
    ClosedByPeer,

    /// <summary>The destination accepted no bytes for the write-stall timeout.</summary>
    WriteStalled,

    /// <summary>The destination broke the RTMP protocol.</summary>
    ProtocolError,
}
