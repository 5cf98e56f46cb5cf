using System.Buffers.Binary;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// Counts the audio and video tags of an FLV file a player wrote, walking the tags without ffmpeg, so a player that
/// was turned away (no file, an empty file, a header and nothing after it, a file cut short) can be told from one
/// that received media.
/// </summary>
internal static class FlvMediaTags
{
    private const byte AudioTagType = 8;
    private const byte VideoTagType = 9;

    /// <summary>The number of complete audio and video tags in <paramref name="path"/>; 0 when the file is absent or not FLV.</summary>
    public static int Count(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        byte[] flv;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            flv = new byte[stream.Length];
            stream.ReadExactly(flv);
        }

        if (flv.Length < 13 || flv[0] != 'F' || flv[1] != 'L' || flv[2] != 'V')
        {
            return 0;
        }

        var offset = (long)BinaryPrimitives.ReadUInt32BigEndian(flv.AsSpan(5, 4)) + 4; // header, then PreviousTagSize0
        var count = 0;
        while (offset + 11 <= flv.Length)
        {
            var type = flv[offset] & 0x1F;
            var dataSize = (flv[offset + 1] << 16) | (flv[offset + 2] << 8) | flv[offset + 3];
            if (offset + 11 + dataSize > flv.Length)
            {
                break;
            }

            if (type is AudioTagType or VideoTagType)
            {
                count++;
            }

            offset += 11 + dataSize + 4;
        }

        return count;
    }
}
