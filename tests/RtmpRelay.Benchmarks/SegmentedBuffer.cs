using System.Buffers;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// A <see cref="ReadOnlySequence{T}"/> over one array cut into segments of a given size, the shape a pipe hands
/// the read loop (Kestrel's pipes are made of 4 KiB blocks), so header parsing across segment ends is measured too.
/// </summary>
internal sealed class SegmentedBuffer : ReadOnlySequenceSegment<byte>
{
    private SegmentedBuffer(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>The whole of <paramref name="data"/>, in segments of <paramref name="segmentSize"/> bytes (0: one segment).</summary>
    public static ReadOnlySequence<byte> Create(byte[] data, int segmentSize)
    {
        if (segmentSize <= 0 || segmentSize >= data.Length)
        {
            return new ReadOnlySequence<byte>(data);
        }
        var first = new SegmentedBuffer(data.AsMemory(0, segmentSize), 0);
        var last = first;
        for (var offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            var next = new SegmentedBuffer(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)), offset);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
