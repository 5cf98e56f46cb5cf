using System.Buffers.Binary;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>Just enough FLV walking to corrupt one chosen tag's payload in a test.</summary>
internal static class FlvTags
{
    private const byte VideoTagType = 9;

    /// <summary>The offset of the last payload byte of the <paramref name="videoTagIndex"/>-th video tag (0 = the first, the AVC sequence header).</summary>
    public static int LastPayloadByteOfVideoTag(byte[] flv, int videoTagIndex)
    {
        if (flv.Length < 13 || flv[0] != 'F' || flv[1] != 'L' || flv[2] != 'V')
        {
            throw new FormatException("Not an FLV file.");
        }

        var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(flv.AsSpan(5, 4)) + 4; // header, then PreviousTagSize0
        var seen = -1;
        while (offset + 11 <= flv.Length)
        {
            var type = flv[offset] & 0x1F;
            var dataSize = (flv[offset + 1] << 16) | (flv[offset + 2] << 8) | flv[offset + 3];
            if (type == VideoTagType && ++seen == videoTagIndex)
            {
                return offset + 11 + dataSize - 1;
            }

            offset += 11 + dataSize + 4;
        }

        throw new ArgumentOutOfRangeException(nameof(videoTagIndex), $"The file has no video tag {videoTagIndex}.");
    }
}
