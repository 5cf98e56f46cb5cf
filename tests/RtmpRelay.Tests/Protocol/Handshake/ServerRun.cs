using System.Buffers;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>Drives a <see cref="ServerHandshake"/> the way a pipe reader does (see <see cref="HandshakeFeed"/>).</summary>
internal sealed class ServerRun
{
    public required ServerHandshake Server { get; init; }
    public required byte[] Output { get; init; }
    public required byte[] Remaining { get; init; }
    public required bool Completed { get; init; }

    /// <summary>Feeds <paramref name="data"/> cut at <paramref name="cuts"/> (ascending offsets).</summary>
    public static ServerRun Feed(HandshakeOptions options, byte[] data, IEnumerable<int> cuts)
    {
        var server = new ServerHandshake(options);
        var (output, remaining, completed) = HandshakeFeed.Run(server.TryAdvance, data, cuts);
        return new ServerRun { Server = server, Output = output, Remaining = remaining, Completed = completed };
    }

    public static ServerRun Whole(HandshakeOptions options, byte[] data) => Feed(options, data, []);

    public static ServerRun ByteByByte(HandshakeOptions options, byte[] data) =>
        Feed(options, data, Enumerable.Range(1, Math.Max(0, data.Length - 1)));
}
