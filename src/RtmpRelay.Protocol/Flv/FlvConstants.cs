namespace RtmpRelay.Protocol.Flv;

/// <summary>Numbers from the FLV spec (10.1, annex E) and Enhanced RTMP v1/v2 used by <see cref="FlvTag"/>.</summary>
internal static class FlvConstants
{
    // Legacy video codec ids (low nibble of the first byte).
    public const byte CodecAvc = 7;
    public const byte CodecHevcLegacy = 12; // pre-E-RTMP Chinese CDN extension, same layout as AVC

    // Legacy AVCPacketType (also for codec 12).
    public const byte AvcSequenceHeader = 0;
    public const byte AvcNalu = 1;

    // Video frame types (bits 4..6).
    public const byte FrameKey = 1;
    public const byte FrameCommand = 5; // "video info/command frame"

    // E-RTMP VideoPacketType.
    public const byte VideoSequenceStart = 0;
    public const byte VideoCodedFrames = 1;
    public const byte VideoCodedFramesX = 3;
    public const byte VideoMetadata = 4;
    public const byte VideoMpeg2TsSequenceStart = 5;
    public const byte VideoMultitrack = 6;
    public const byte VideoModEx = 7;

    // Legacy sound formats (high nibble).
    public const byte SoundAac = 10;
    public const byte SoundExHeader = 9; // E-RTMP v2 ExAudioTagHeader

    // Legacy AACPacketType.
    public const byte AacSequenceHeader = 0;

    // E-RTMP AudioPacketType.
    public const byte AudioSequenceStart = 0;
    public const byte AudioMultichannelConfig = 4;
    public const byte AudioMultitrack = 5;
    public const byte AudioModEx = 7;

    // AvMultitrackType.
    public const byte ManyTracksManyCodecs = 2;

    /// <summary>A FourCC as text ("hvc1"), or its hex value when not printable.</summary>
    public static string FourCcText(uint fourCc)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((fourCc >> (24 - 8 * i)) & 0xFF);
            if (c is < ' ' or > '~')
                return $"0x{fourCc:X8}";
            chars[i] = c;
        }
        return new string(chars);
    }
}
