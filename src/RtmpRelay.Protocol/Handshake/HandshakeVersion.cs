namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// Classifies the first byte a peer sends (C0 or S0). This is the single place where the version
/// is dispatched; RTMPE plugs in where <see cref="HandshakeMode.Encrypted"/> is handled.
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

    /// <summary>The reason used until the RTMPE handshake is implemented.</summary>
    public static RtmpProtocolException RtmpeNotEnabled(byte c0) =>
        new($"RTMPE handshake (C0=0x{c0:X2}) is not enabled on this endpoint");

    private static bool IsEncrypted(byte version) => version is 0x06 or 0x08 or 0x09;

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
