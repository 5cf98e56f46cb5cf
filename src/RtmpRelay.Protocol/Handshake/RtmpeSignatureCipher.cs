namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// How the C2/S2 signatures of an RTMPE handshake are encrypted. The numeric value is the C0/S0 byte that selects it;
/// the server's S0 decides for both directions.
/// </summary>
public enum RtmpeSignatureCipher : byte
{
    /// <summary>0x06: signatures in the clear (what ffmpeg and rtmpdump clients send).</summary>
    None = 0x06,

    /// <summary>0x08: each 8-byte block of the signature encrypted with XTEA.</summary>
    Xtea = 0x08,

    /// <summary>0x09: each 8-byte block of the signature encrypted with Blowfish.</summary>
    Blowfish = 0x09,
}
