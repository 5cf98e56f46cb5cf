namespace RtmpRelay.Protocol.Handshake;

/// <summary>Which S0 a server answers to an RTMPE C0 (0x06, 0x08 or 0x09); see <see cref="HandshakeOptions.RtmpeResponse"/>.</summary>
public enum RtmpeServerResponse
{
    /// <summary>Answer the client's own C0 (the default). ffmpeg and rtmpdump send 0x06, so this means 0x06 in practice.</summary>
    MirrorClient = 0,

    /// <summary>Always answer 0x06: plain signatures.</summary>
    None = RtmpeSignatureCipher.None,

    /// <summary>Always answer 0x08: XTEA-encrypted signatures (what FMS answers to Flash Player 128.x clients).</summary>
    Xtea = RtmpeSignatureCipher.Xtea,

    /// <summary>Always answer 0x09: Blowfish-encrypted signatures.</summary>
    Blowfish = RtmpeSignatureCipher.Blowfish,
}
