namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>
/// A <c>HandshakeOptions.Random</c> that serves given byte blocks, one per call, and checks each call asks for
/// exactly that block's length; after the script, a seeded pseudo-random stream.
/// </summary>
internal sealed class ScriptedRandom(params byte[][] blocks)
{
    private readonly Queue<byte[]> _blocks = new(blocks);
    private readonly Random _fallback = new(1234);

    public int Calls { get; private set; }

    public void Fill(Span<byte> destination)
    {
        Calls++;
        if (_blocks.TryDequeue(out byte[]? block))
        {
            Assert.Equal(block.Length, destination.Length);
            block.CopyTo(destination);
        }
        else
        {
            _fallback.NextBytes(destination);
        }
    }
}
