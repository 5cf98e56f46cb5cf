namespace RtmpRelay.Protocol.Handshake;

/// <summary>Which handshake the peer spoke.</summary>
public enum HandshakeKind
{
    /// <summary>Plain echo handshake (RTMP spec 5.2): no digest, C2/S2 echo the peer's C1/S1.</summary>
    Simple,

    /// <summary>Flash Player 9 digest handshake: C1/S1 carry an HMAC-SHA256 digest, C2/S2 a signature.</summary>
    Digest,
}
