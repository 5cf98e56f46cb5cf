using System.Buffers;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>A linked segment for building multi-segment <see cref="ReadOnlySequence{T}"/> test inputs.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    private BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>One segment per chunk, in order (empty chunks included, as a pipe may produce them).</summary>
    public static ReadOnlySequence<byte> Sequence(IReadOnlyList<ReadOnlyMemory<byte>> chunks)
    {
        if (chunks.Count == 0)
            return ReadOnlySequence<byte>.Empty;

        var first = new BufferSegment(chunks[0], 0);
        BufferSegment last = first;
        for (int i = 1; i < chunks.Count; i++)
        {
            var next = new BufferSegment(chunks[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
