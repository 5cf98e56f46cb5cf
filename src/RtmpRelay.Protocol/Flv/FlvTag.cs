using System.Buffers.Binary;
using static RtmpRelay.Protocol.Flv.FlvConstants;

namespace RtmpRelay.Protocol.Flv;

/// <summary>
/// The few facts a relay needs from audio/video message payloads: which message is a sequence header
/// (decoder configuration, replayed to late joiners) and which is a keyframe (where a joiner may start).
/// Covers legacy FLV tags and Enhanced RTMP (Veovera E-RTMP v1/v2) headers, including ModEx and multitrack.
/// Never throws: empty or truncated payloads give false / partial info.
/// </summary>
/// <remarks>
/// <code>
/// Video, legacy:      byte 0 = frameType (4) | codecId (4)
///                     frameType 5: UI8 command (0 start seek, 1 end seek), no video
///                     AVC (7) / HEVC (12): byte 1 = AVCPacketType (0 seq header, 1 NALU, 2 end), SI24 cts, data
/// Video, E-RTMP:      byte 0 = 1 | frameType (3) | packetType (4)
///                     while packetType == ModEx (7):
///                         size = UI8 + 1 (256: UI16 + 1), data[size], byte = modExType (4) | packetType (4)
///                     frameType == Command (5) and packetType != Metadata (4): UI8 videoCommand, no body
///                     packetType == Multitrack (6): byte = multitrackType (4) | packetType (4),
///                         FourCC unless ManyTracksManyCodecs (2), where each track starts with its own FourCC
///                     else: FourCC ('avc1', 'hvc1', 'av01', 'vp09', ...)
///                     packetType: 0 SequenceStart, 1 CodedFrames, 2 SequenceEnd, 3 CodedFramesX,
///                                 4 Metadata, 5 MPEG2TSSequenceStart
/// Audio, legacy:      byte 0 = soundFormat (4) | rate (2) | size (1) | type (1)
///                     AAC (10): byte 1 = AACPacketType (0 sequence header, 1 raw)
/// Audio, E-RTMP:      byte 0 = soundFormat 9 (4) | packetType (4)
///                     ModEx as for video; packetType == Multitrack (5): byte = multitrackType (4) | packetType (4),
///                         FourCC unless ManyTracksManyCodecs; else FourCC ('Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3', 'mp4a')
///                     packetType: 0 SequenceStart, 1 CodedFrames, 2 SequenceEnd, 4 MultichannelConfig
/// </code>
/// </remarks>
public static class FlvTag
{
    /// <summary>
    /// True for a video message carrying a keyframe's coded data: frame type 1 with legacy AVC/HEVC NALUs
    /// (AVCPacketType 1), any legacy codec's data, or E-RTMP CodedFrames/CodedFramesX (multitrack included:
    /// the frame type applies to every track). Sequence headers also carry frame type 1 but are not
    /// keyframes here: check <see cref="IsVideoSequenceHeader"/> for those. Frame type 5 (info/command) never is.
    /// </summary>
    public static bool IsVideoKeyframe(ReadOnlySpan<byte> videoPayload)
    {
        VideoTagInfo info = ReadVideo(videoPayload);
        if (info.FrameType != FrameKey)
            return false;
        if (info.IsEnhanced)
            return info.PacketType is VideoCodedFrames or VideoCodedFramesX;
        if (info.CodecId is CodecAvc or CodecHevcLegacy)
            return info.PacketType == AvcNalu;
        return videoPayload.Length > 1; // a header without data is no frame
    }

    /// <summary>
    /// True for a video decoder configuration: legacy AVC (7) or HEVC (12) with AVCPacketType 0, or E-RTMP
    /// SequenceStart (also inside a multitrack header; the message then configures every track it carries).
    /// E-RTMP MPEG2TSSequenceStart counts too: it is the same configuration in MPEG-2 TS descriptor form
    /// (AV1), and a late joiner needs it just as much.
    /// </summary>
    public static bool IsVideoSequenceHeader(ReadOnlySpan<byte> videoPayload)
    {
        VideoTagInfo info = ReadVideo(videoPayload);
        if (info.IsEnhanced)
            return info.PacketType is VideoSequenceStart or VideoMpeg2TsSequenceStart;
        return info.CodecId is CodecAvc or CodecHevcLegacy && info.PacketType == AvcSequenceHeader;
    }

    /// <summary>
    /// True for an audio decoder configuration: AAC (10) with AACPacketType 0, or E-RTMP (format 9)
    /// SequenceStart (also inside a multitrack header).
    /// E-RTMP MultichannelConfig is not included: it describes the channel layout next to the codec's own
    /// configuration (ffmpeg sends it just before SequenceStart) and does not replace it, so a relay that
    /// keeps "the last audio sequence header" must not let it overwrite SequenceStart. See
    /// <see cref="IsAudioMultichannelConfig"/> to keep it as well.
    /// </summary>
    public static bool IsAudioSequenceHeader(ReadOnlySpan<byte> audioPayload)
    {
        AudioTagInfo info = ReadAudio(audioPayload);
        if (info.IsEnhanced)
            return info.PacketType == AudioSequenceStart;
        return info.SoundFormat == SoundAac && info.PacketType == AacSequenceHeader;
    }

    /// <summary>True for an E-RTMP audio MultichannelConfig message (channel order and count, replay it to late joiners).</summary>
    public static bool IsAudioMultichannelConfig(ReadOnlySpan<byte> audioPayload)
    {
        AudioTagInfo info = ReadAudio(audioPayload);
        return info.IsEnhanced && info.PacketType == AudioMultichannelConfig;
    }

    /// <summary>Reads the video header (legacy or E-RTMP); default for an empty payload, partial info when truncated.</summary>
    public static VideoTagInfo ReadVideo(ReadOnlySpan<byte> p)
    {
        if (p.IsEmpty)
            return default;

        byte first = p[0];
        if ((first & 0x80) == 0)
        {
            byte legacyFrameType = (byte)(first >> 4);
            byte codec = (byte)(first & 0x0F);
            byte? second = p.Length > 1 ? p[1] : null;

            // Frame type 5 carries a UI8 command (0 start / 1 end of client-side seeking) instead of video,
            // for every codec: "57 00" is not an AVC sequence header.
            if (legacyFrameType == FrameCommand)
                return new VideoTagInfo(false, legacyFrameType, codec, 0, null, false, second);

            byte? avcPacketType = codec is CodecAvc or CodecHevcLegacy ? second : null;
            return new VideoTagInfo(false, legacyFrameType, codec, 0, avcPacketType, false, null);
        }

        byte frameType = (byte)((first >> 4) & 0x07);
        byte packetType = (byte)(first & 0x0F);
        var partial = new VideoTagInfo(true, frameType, 0, 0, null, false, null);
        int pos = 1;

        if (!TrySkipModEx(p, ref pos, ref packetType, VideoModEx))
            return partial;

        if (frameType == FrameCommand && packetType != VideoMetadata)
            return partial with { Command = pos < p.Length ? p[pos] : null };

        bool multitrack = packetType == VideoMultitrack;
        if (multitrack)
        {
            if (pos >= p.Length)
                return partial with { IsMultitrack = true };
            // Low nibble: the packet type of every track. With ManyTracksManyCodecs the first track's
            // FourCC comes next anyway, so the FourCC read below works for all multitrack types.
            packetType = (byte)(p[pos++] & 0x0F);
        }

        if (p.Length - pos < 4)
            return partial with { IsMultitrack = multitrack };
        uint fourCc = BinaryPrimitives.ReadUInt32BigEndian(p[pos..]);
        return new VideoTagInfo(true, frameType, 0, fourCc, packetType, multitrack, null);
    }

    /// <summary>Reads the audio header (legacy or E-RTMP); default for an empty payload, partial info when truncated.</summary>
    public static AudioTagInfo ReadAudio(ReadOnlySpan<byte> p)
    {
        if (p.IsEmpty)
            return default;

        byte first = p[0];
        byte format = (byte)(first >> 4);
        if (format != SoundExHeader)
        {
            byte? aacPacketType = format == SoundAac && p.Length > 1 ? p[1] : null;
            return new AudioTagInfo(false, format, 0, aacPacketType, false);
        }

        byte packetType = (byte)(first & 0x0F);
        var partial = new AudioTagInfo(true, format, 0, null, false);
        int pos = 1;

        if (!TrySkipModEx(p, ref pos, ref packetType, AudioModEx))
            return partial;

        bool multitrack = packetType == AudioMultitrack;
        if (multitrack)
        {
            if (pos >= p.Length)
                return partial with { IsMultitrack = true };
            packetType = (byte)(p[pos++] & 0x0F); // see ReadVideo: the FourCC position is the same for all types
        }

        if (p.Length - pos < 4)
            return partial with { IsMultitrack = multitrack };
        uint fourCc = BinaryPrimitives.ReadUInt32BigEndian(p[pos..]);
        return new AudioTagInfo(true, format, fourCc, packetType, multitrack);
    }

    /// <summary>Skips E-RTMP ModEx blocks; false when the payload ends inside one.</summary>
    private static bool TrySkipModEx(ReadOnlySpan<byte> p, ref int pos, ref byte packetType, byte modEx)
    {
        while (packetType == modEx)
        {
            if (pos >= p.Length)
                return false;
            int size = p[pos++] + 1;
            if (size == 256)
            {
                if (p.Length - pos < 2)
                    return false;
                size = BinaryPrimitives.ReadUInt16BigEndian(p[pos..]) + 1;
                pos += 2;
            }
            pos += size;
            if (pos >= p.Length)
                return false;
            packetType = (byte)(p[pos++] & 0x0F); // high nibble: ModEx type (timestamp offset, ...), not needed here
        }
        return true;
    }
}
