namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// Classifies the first byte a peer sends (C0 or S0). This is the single place where the version
/// is dispatched; <see cref="HandshakeMode.Encrypted"/> leads to the RTMPE paths of the handshakes.
/// </summary>
internal static class HandshakeVersion
{
    public const byte Plain = 3;

    /// <summary>Classifies C0; throws for bytes that are clearly another protocol.</summary>
    public static HandshakeMode ClassifyClient(byte c0)
    {
        ThrowIfNotRtmp(c0, "first byte");
        return IsEncrypted(c0) ? HandshakeMode.Encrypted : HandshakeMode.Plain;
    }

    /// <summary>Classifies S0 in answer to our plain C0; an RTMPE answer is a violation.</summary>
    public static void CheckServer(byte s0)
    {
        ThrowIfNotRtmp(s0, "S0");
        if (IsEncrypted(s0))
            throw new RtmpProtocolException($"server answered an RTMPE handshake (S0=0x{s0:X2}) to a plain RTMP C0");
    }

    /// <summary>Checks S0 in answer to our RTMPE C0: it must be 0x06, 0x08 or 0x09.</summary>
    public static RtmpeSignatureCipher CheckRtmpeServer(byte s0)
    {
        ThrowIfNotRtmp(s0, "S0");
        if (!IsEncrypted(s0))
            throw new RtmpProtocolException($"server answered S0=0x{s0:X2} to an RTMPE C0: it does not speak RTMPE");
        return (RtmpeSignatureCipher)s0;
    }

    /// <summary>The reason used when a client asks for RTMPE and no <see cref="HandshakeOptions.Rtmpe"/> is configured.</summary>
    public static RtmpProtocolException RtmpeNotEnabled(byte c0) =>
        new($"RTMPE handshake (C0=0x{c0:X2}) is not enabled on this endpoint");

    /// <summary>0x06, 0x08 or 0x09.</summary>
    public static bool IsEncrypted(byte version) => version is 0x06 or 0x08 or 0x09;

    private static void ThrowIfNotRtmp(byte value, string what)
    {
        // 0x16 is the TLS record type "handshake": an rtmps client hit the plain port.
        if (value == 0x16)
            throw new RtmpProtocolException($"TLS ClientHello on a plain RTMP endpoint ({what} 0x16)");

        // RTMP versions are small numbers; printable ASCII is another text protocol (HTTP: 'G', 'P', 'H', ...).
        if (value >= 0x20)
        {
            string shown = value < 0x7F ? $" ('{(char)value}')" : "";
            throw new RtmpProtocolException($"not RTMP: {what} 0x{value:X2}{shown}");
        }
    }
}
