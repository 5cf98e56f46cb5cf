using System.Buffers;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// Multi-segment sequences and a fixed read pattern, so every parser sees its input both whole and the way a pipe
/// delivers it: in pieces of odd sizes, with headers split across segments.
/// </summary>
internal static class Segments
{
    /// <summary>Read sizes cycled through when an input is fed in pieces (1-byte reads, both sides of 128, large ones).</summary>
    private static readonly int[] Pattern = [1, 2, 3, 5, 11, 127, 128, 129, 7, 1536, 4096];

    /// <summary>The pieces <paramref name="data"/> arrives in: the pattern above, cycled.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Pieces(ReadOnlyMemory<byte> data)
    {
        var at = 0;
        for (var i = 0; at < data.Length; i++)
        {
            var size = Math.Min(Pattern[i % Pattern.Length], data.Length - at);
            yield return data.Slice(at, size);
            at += size;
        }
    }

    /// <summary>One segment per part, in order.</summary>
    public static ReadOnlySequence<byte> Sequence(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Count; i++)
        {
            var next = new Segment(parts[i], last.RunningIndex + last.Memory.Length);
            last.Link(next);
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>
    /// Feeds <paramref name="data"/> to <paramref name="step"/> piece by piece, as a read loop would: what a step leaves
    /// unconsumed is offered again in front of the next piece (as its own segment). Stops when a step returns true.
    /// </summary>
    /// <returns>The bytes after the point where <paramref name="step"/> returned true (empty when it never did).</returns>
    public static ReadOnlySequence<byte> Feed(ReadOnlyMemory<byte> data, ReadStep step)
    {
        var held = new List<ReadOnlyMemory<byte>>();
        var at = 0;
        foreach (var piece in Pieces(data))
        {
            held.Add(piece);
            at += piece.Length;
            var buffer = Sequence(held);
            var done = step(ref buffer);
            held = Split(buffer);
            if (done)
            {
                if (at < data.Length)
                {
                    held.Add(data[at..]);
                }
                return Sequence(held);
            }
        }
        return ReadOnlySequence<byte>.Empty;
    }

    /// <summary>The segments left in <paramref name="buffer"/> (each becomes one held piece again).</summary>
    private static List<ReadOnlyMemory<byte>> Split(ReadOnlySequence<byte> buffer)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        foreach (var memory in buffer)
        {
            if (!memory.IsEmpty)
            {
                parts.Add(memory);
            }
        }
        return parts;
    }

    /// <summary>A parser step over the bytes arrived so far; advances <paramref name="buffer"/> past what it consumed.</summary>
    public delegate bool ReadStep(ref ReadOnlySequence<byte> buffer);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void Link(Segment next) => Next = next;
    }
}
