using RtmpRelay.Fuzz.Infrastructure;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Fuzz.Targets;

/// <summary>
/// Command dispatch of a server session: the real connection handler, <c>RtmpConnection</c> and <c>ServerSession</c>
/// on a real stream registry, over an in-memory pipe. Input: what a client sends after the handshake (connect,
/// createStream, publish/play, metadata, media, control messages ...); the target sends a simple handshake first.
/// Expected: the relay closes or carries on, logs no unexpected failure, ends when the peer closes, and sends a
/// well-formed chunk stream.
/// </summary>
internal static class SessionTarget
{
    private const int HandshakeSize = 1 + 2 * HandshakeDigest.PacketSize;

    /// <summary>C0 = 3, a simple (version 0) C1 and a C2: what rtmpdump and librtmp send.</summary>
    private static readonly byte[] Handshake = CreateHandshake();

    public static void Run(ReadOnlyMemory<byte> data) => RunAsync(data).GetAwaiter().GetResult();

    private static async Task RunAsync(ReadOnlyMemory<byte> data)
    {
        var relay = new FuzzRelay();
        var writes = new List<ReadOnlyMemory<byte>> { Handshake };
        writes.AddRange(Segments.Pieces(data));
        var sent = await InMemoryPeer.RunAsync(relay, writes);
        if (sent.Length > HandshakeSize)
        {
            InMemoryPeer.CheckRelayChunks(sent.AsSpan(HandshakeSize));
        }
    }

    private static byte[] CreateHandshake()
    {
        var bytes = new byte[HandshakeSize];
        bytes[0] = 3;
        for (var i = 9; i < 1 + HandshakeDigest.PacketSize; i++)
        {
            bytes[i] = (byte)(i * 7);
        }
        return bytes;
    }
}
