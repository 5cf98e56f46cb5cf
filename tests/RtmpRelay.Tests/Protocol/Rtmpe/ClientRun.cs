using System.Buffers;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Tests.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

/// <summary>
/// Drives a started <see cref="ClientHandshake"/> (C0+C1 written) the way a pipe reader does, like
/// <see cref="ServerRun"/> does for the server: arrivals appended to what was not consumed, consumed bytes dropped.
/// </summary>
internal sealed class ClientRun
{
    public required ClientHandshake Client { get; init; }
    public required byte[] Output { get; init; }
    public required byte[] Remaining { get; init; }
    public required bool Completed { get; init; }

    /// <summary>Feeds <paramref name="data"/> cut at <paramref name="cuts"/> (ascending offsets).</summary>
    public static ClientRun Feed(ClientHandshake client, byte[] data, IEnumerable<int> cuts)
    {
        var (output, remaining, completed) = HandshakeFeed.Run(client.TryAdvance, data, cuts);
        return new ClientRun { Client = client, Output = output, Remaining = remaining, Completed = completed };
    }
}
