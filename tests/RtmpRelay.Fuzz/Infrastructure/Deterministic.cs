using Org.BouncyCastle.Security;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Rtmpe;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// Handshake options and RTMPE crypto whose "random" bytes and epochs are the same on every run, so one input always
/// takes one path (AFL's stability) and a target can predict what the other side writes.
/// </summary>
internal static class Deterministic
{
    public static HandshakeOptions Options(IRtmpeCrypto? rtmpe = null, RtmpeServerResponse response = RtmpeServerResponse.MirrorClient)
    {
        var state = 0x9E3779B9u;
        return new HandshakeOptions
        {
            Epoch = static () => 0x01020304,
            Random = bytes =>
            {
                for (var i = 0; i < bytes.Length; i++)
                {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    bytes[i] = (byte)state;
                }
            },
            Rtmpe = rtmpe,
            RtmpeResponse = response,
        };
    }

    /// <summary>The real BouncyCastle crypto with private keys drawn from a fixed seed.</summary>
    public static BouncyCastleRtmpeCrypto Crypto()
    {
        var random = SecureRandom.GetInstance("SHA256PRNG", autoSeed: false);
        random.SetSeed(0x5EED_F022_0015L);
        return new BouncyCastleRtmpeCrypto(random);
    }
}
