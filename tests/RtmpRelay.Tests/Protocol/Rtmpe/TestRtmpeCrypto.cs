using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Rtmpe;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

/// <summary>Real BouncyCastle crypto with reproducible private keys.</summary>
internal static class TestRtmpeCrypto
{
    /// <summary>Private keys are 127 pseudo-random bytes from <paramref name="seed"/> (below q, as TV6's are).</summary>
    public static BouncyCastleRtmpeCrypto Deterministic(int seed)
    {
        var random = new Random(seed);
        return new BouncyCastleRtmpeCrypto(() =>
        {
            byte[] x = new byte[127];
            random.NextBytes(x);
            x[0] |= 0x01;
            return DhKeyPair.FromPrivateKey(x);
        });
    }

    /// <summary>Private keys from a script, in order.</summary>
    public static BouncyCastleRtmpeCrypto Scripted(params byte[][] privateKeys)
    {
        var queue = new Queue<byte[]>(privateKeys);
        return new BouncyCastleRtmpeCrypto(() => DhKeyPair.FromPrivateKey(queue.Dequeue()));
    }

    /// <summary>Handshake options with fixed time, the seeded random of <see cref="Handshake.TestOptions"/> and RTMPE on.</summary>
    public static HandshakeOptions Options(IRtmpeCrypto crypto, RtmpeServerResponse response = RtmpeServerResponse.MirrorClient, params byte[][] randomBlocks) =>
        new()
        {
            Epoch = () => Handshake.TestOptions.Epoch,
            Random = new Handshake.ScriptedRandom(randomBlocks).Fill,
            Rtmpe = crypto,
            RtmpeResponse = response,
        };
}
