using System.Buffers;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>Helpers to view a fixed-size handshake packet from a possibly multi-segment sequence.</summary>
internal static class HandshakeBuffer
{
    /// <summary>C1/S1/C2/S2 size.</summary>
    public const int PacketSize = HandshakeDigest.PacketSize;

    /// <summary>The first byte; the sequence must not be empty (its first segment may be).</summary>
    public static byte PeekFirst(in ReadOnlySequence<byte> input)
    {
        ReadOnlySpan<byte> first = input.FirstSpan;
        if (!first.IsEmpty)
            return first[0];
        Span<byte> one = stackalloc byte[1];
        input.Slice(0, 1).CopyTo(one);
        return one[0];
    }

    /// <summary>
    /// The first <paramref name="count"/> bytes as one span: the first segment when it is long enough
    /// (no copy), otherwise copied into <paramref name="scratch"/>.
    /// </summary>
    public static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> input, int count, Span<byte> scratch)
    {
        ReadOnlySpan<byte> first = input.FirstSpan;
        if (first.Length >= count)
            return first[..count];
        Span<byte> target = scratch[..count];
        input.Slice(0, count).CopyTo(target);
        return target;
    }
}
