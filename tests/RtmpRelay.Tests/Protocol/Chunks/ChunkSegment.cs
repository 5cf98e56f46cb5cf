using System.Buffers;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>A linked segment for building multi-segment <see cref="ReadOnlySequence{T}"/> inputs, as a pipe hands them out.</summary>
internal sealed class ChunkSegment : ReadOnlySequenceSegment<byte>
{
    private ChunkSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>One segment per part, in order; empty parts are kept (a pipe may produce them).</summary>
    public static ReadOnlySequence<byte> Sequence(params ReadOnlyMemory<byte>[] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        if (parts.Length == 1)
        {
            return new ReadOnlySequence<byte>(parts[0]);
        }
        var first = new ChunkSegment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++)
        {
            var next = new ChunkSegment(parts[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
