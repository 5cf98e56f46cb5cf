using System.Buffers;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>One handshake step: consume what it can of the input, write its answer, true when done.</summary>
internal delegate bool HandshakeAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output);

/// <summary>
/// Feeds a handshake side the way a pipe reader does: each arrival is appended to what was not consumed, the whole
/// remainder is offered as a multi-segment sequence, and consumed bytes are dropped.
/// </summary>
internal static class HandshakeFeed
{
    /// <summary>Feeds <paramref name="data"/> cut at <paramref name="cuts"/> (ascending offsets).</summary>
    public static (byte[] Output, byte[] Remaining, bool Completed) Run(HandshakeAdvance advance, byte[] data, IEnumerable<int> cuts)
    {
        var output = new ArrayBufferWriter<byte>();
        var pending = new List<ReadOnlyMemory<byte>>();
        var completed = false;

        var start = 0;
        foreach (var end in cuts.Append(data.Length))
        {
            pending.Add(data.AsMemory(start, end - start));
            start = end;
            if (completed)
                continue;

            var input = BufferSegment.Sequence(pending);
            completed = advance(ref input, output);
            pending = [];
            foreach (var segment in input)
                pending.Add(segment);
        }

        return (output.WrittenSpan.ToArray(), pending.SelectMany(m => m.ToArray()).ToArray(), completed);
    }
}
