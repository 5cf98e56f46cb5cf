using System.Buffers;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>
/// Drives a <see cref="ServerHandshake"/> the way a pipe reader does: each arrival is appended to what was
/// not consumed, the whole remainder is offered as a multi-segment sequence, and consumed bytes are dropped.
/// </summary>
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
        var output = new ArrayBufferWriter<byte>();
        var pending = new List<ReadOnlyMemory<byte>>();
        bool completed = false;

        int start = 0;
        foreach (int end in cuts.Append(data.Length))
        {
            pending.Add(data.AsMemory(start, end - start));
            start = end;
            if (completed)
                continue;

            ReadOnlySequence<byte> input = BufferSegment.Sequence(pending);
            completed = server.TryAdvance(ref input, output);
            pending = [];
            foreach (ReadOnlyMemory<byte> segment in input)
                pending.Add(segment);
        }

        return new ServerRun
        {
            Server = server,
            Output = output.WrittenSpan.ToArray(),
            Remaining = pending.SelectMany(m => m.ToArray()).ToArray(),
            Completed = completed,
        };
    }

    public static ServerRun Whole(HandshakeOptions options, byte[] data) => Feed(options, data, []);

    public static ServerRun ByteByByte(HandshakeOptions options, byte[] data) =>
        Feed(options, data, Enumerable.Range(1, Math.Max(0, data.Length - 1)));
}
