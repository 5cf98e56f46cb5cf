using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>Deterministic handshake options: every new instance produces the same bytes.</summary>
internal static class TestOptions
{
    public const uint Epoch = 0x00ABCDEF;

    public static HandshakeOptions Deterministic(params byte[][] randomBlocks) =>
        new() { Epoch = () => Epoch, Random = new ScriptedRandom(randomBlocks).Fill };
}
