namespace RtmpRelay.Protocol.Handshake;

/// <summary>What a C0/S0 version byte asks for, once the byte is known to be RTMP at all.</summary>
internal enum HandshakeMode
{
    /// <summary>3, or an unknown version below 0x20 that is answered as 3.</summary>
    Plain,

    /// <summary>0x06, 0x08 or 0x09: RTMPE (encrypted RTMP).</summary>
    Encrypted,
}
