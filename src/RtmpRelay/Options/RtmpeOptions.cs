using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Options;

/// <summary>The "Relay:Rtmpe" section: encrypted RTMP (C0 = 6, 8 or 9) on the plain RTMP and RTMPT endpoints.</summary>
public sealed class RtmpeOptions
{
    /// <summary>
    /// Whether RTMPE (and RTMPTE) handshakes are accepted. Default true. One endpoint can refuse it on its own with
    /// "AllowRtmpe": false in its Kestrel endpoint section.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Which S0 the server answers: MirrorClient (default: what the client sent, which is 6 for ffmpeg and librtmp),
    /// None (6, signatures in clear), Xtea (8) or Blowfish (9).
    /// </summary>
    public RtmpeServerResponse ServerResponse { get; set; } = RtmpeServerResponse.MirrorClient;
}
