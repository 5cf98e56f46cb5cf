using RtmpRelay.Protocol.Flv;

namespace RtmpRelay.Tests.Protocol.Flv;

public class FlvTagTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    // FourCCs as hex: avc1 61766331, hvc1 68766331, av01 61763031, vp09 76703039,
    // Opus 4f707573, mp4a 6d703461, fLaC 664c6143, ac-3 61632d33, .mp3 2e6d7033.

    [Theory]
    // Legacy AVC: 0x17 = keyframe + AVC, then AVCPacketType, SI24 composition time.
    [InlineData("17 00 000000 01640028", false, true)] // AVCDecoderConfigurationRecord
    [InlineData("17 01 000000 00000010 65", true, false)] // IDR NALU
    [InlineData("27 01 000042 00000008 41", false, false)] // inter frame
    [InlineData("17 02 000000", false, false)] // end of sequence
    [InlineData("17", false, false)] // truncated before AVCPacketType
    // Legacy HEVC extension (codec 12), same layout as AVC.
    [InlineData("1c 00 000000 01", false, true)]
    [InlineData("1c 01 000000 00000010 26", true, false)]
    [InlineData("2c 01 000000 00000010 02", false, false)]
    // Other legacy codecs: frame type only; a header without data is no frame.
    [InlineData("12 0000", true, false)] // Sorenson H.263 keyframe
    [InlineData("22 0000", false, false)]
    [InlineData("12", false, false)]
    // Frame type 5, video info/command frame, is never a keyframe.
    [InlineData("57 01", false, false)]
    [InlineData("57 00", false, false)] // AVC "start of seek" command, not a sequence header
    [InlineData("1c", false, false)]
    [InlineData("52 00", false, false)]
    public void Video_LegacyPayloads_KeyframeAndSequenceHeaderAsExpected(string hex, bool keyframe, bool sequenceHeader)
    {
        byte[] payload = Hex(hex);

        Assert.Equal(keyframe, FlvTag.IsVideoKeyframe(payload));
        Assert.Equal(sequenceHeader, FlvTag.IsVideoSequenceHeader(payload));
    }

    [Theory]
    // E-RTMP byte 0 = 1 | frameType (3) | packetType (4), then the FourCC.
    [InlineData("90 68766331 01", false, true)] // hvc1 SequenceStart (keyframe bits)
    [InlineData("91 68766331 000000 00000010 26", true, false)] // hvc1 CodedFrames, keyframe
    [InlineData("93 68766331 00000010 26", true, false)] // hvc1 CodedFramesX, keyframe
    [InlineData("a1 68766331 000000 00000010 02", false, false)] // hvc1 CodedFrames, inter
    [InlineData("a3 68766331 00000010 02", false, false)] // hvc1 CodedFramesX, inter
    [InlineData("92 68766331", false, false)] // hvc1 SequenceEnd
    [InlineData("90 61763031 81", false, true)] // av01 SequenceStart
    [InlineData("95 61763031 80", false, true)] // av01 MPEG2TSSequenceStart
    [InlineData("91 61763031 12000a", true, false)] // av01 keyframe
    [InlineData("90 76703039 01", false, true)] // vp09 SequenceStart
    [InlineData("91 76703039 000000 82", true, false)] // vp09 keyframe
    [InlineData("a1 76703039 000000 86", false, false)] // vp09 inter
    [InlineData("90 61766331 01", false, true)] // avc1 SequenceStart
    [InlineData("d4 68766331 02", false, false)] // Metadata (frame type 5): AMF follows, neither
    [InlineData("d0 01", false, false)] // command frame: packet bits 0 but it is a VideoCommand, not SequenceStart
    [InlineData("90", false, false)] // truncated before the FourCC
    [InlineData("91 6876", false, false)]
    public void Video_EnhancedPayloads_KeyframeAndSequenceHeaderAsExpected(string hex, bool keyframe, bool sequenceHeader)
    {
        byte[] payload = Hex(hex);

        Assert.Equal(keyframe, FlvTag.IsVideoKeyframe(payload));
        Assert.Equal(sequenceHeader, FlvTag.IsVideoSequenceHeader(payload));
    }

    [Theory]
    // 0x96 = keyframe + Multitrack; next byte = multitrackType (4) | packetType (4).
    [InlineData("96 00 61763031 00 81", false, true)] // OneTrack, SequenceStart, av01, track 0
    [InlineData("96 11 68766331 00 000008 26", true, false)] // ManyTracks, CodedFrames, hvc1, track 0, size
    [InlineData("96 21 61766331 00 000008 65", true, false)] // ManyTracksManyCodecs: FourCC per track
    [InlineData("96 20 68766331 01 000004 01", false, true)] // ManyTracksManyCodecs, SequenceStart
    [InlineData("a6 01 68766331 00 02", false, false)] // inter frame, OneTrack, CodedFrames
    [InlineData("96", false, false)] // truncated
    public void Video_MultitrackPayloads_UseTheTracksPacketType(string hex, bool keyframe, bool sequenceHeader)
    {
        byte[] payload = Hex(hex);

        Assert.Equal(keyframe, FlvTag.IsVideoKeyframe(payload));
        Assert.Equal(sequenceHeader, FlvTag.IsVideoSequenceHeader(payload));
        Assert.True(FlvTag.ReadVideo(payload).IsMultitrack);
    }

    [Theory]
    // 0x97 = keyframe + ModEx: size-1 (UI8; 0xff -> UI16 + 1), data, then modExType (4) | packetType (4).
    [InlineData("97 02 aabbcc 01 68766331 000000", true, false)]
    [InlineData("97 00 aa 00 61763031 81", false, true)]
    [InlineData("97 00 aa 07 00 bb 01 68766331", true, false)] // two ModEx blocks
    [InlineData("97 00 aa 06 00 61763031 00", false, true)] // ModEx, then multitrack
    [InlineData("97 05 0000", false, false)] // truncated inside ModEx data
    [InlineData("97", false, false)]
    public void Video_ModExPayloads_SkippedBeforeThePacketType(string hex, bool keyframe, bool sequenceHeader)
    {
        byte[] payload = Hex(hex);

        Assert.Equal(keyframe, FlvTag.IsVideoKeyframe(payload));
        Assert.Equal(sequenceHeader, FlvTag.IsVideoSequenceHeader(payload));
    }

    [Fact]
    public void Video_ModExWithUi16Size_Skipped()
    {
        // Size byte 0xff: UI16 + 1 follows; 0x0100 + 1 = 257 bytes of ModEx data.
        byte[] payload = [0x97, 0xFF, 0x01, 0x00, .. new byte[257], 0x01, .. Hex("68766331")];

        Assert.True(FlvTag.IsVideoKeyframe(payload));
        Assert.Equal(0x68766331u, FlvTag.ReadVideo(payload).FourCc);
    }

    [Fact]
    public void ReadVideo_LegacyAvcSequenceHeader_ReportsCodecAndPacketType()
    {
        VideoTagInfo info = FlvTag.ReadVideo(Hex("17 00 000000 01"));

        Assert.Equal(new VideoTagInfo(false, 1, 7, 0, 0, false, null), info);
    }

    [Fact]
    public void ReadVideo_EnhancedHevcCodedFrames_ReportsFourCcAndPacketType()
    {
        VideoTagInfo info = FlvTag.ReadVideo(Hex("a1 68766331 000000"));

        Assert.Equal(new VideoTagInfo(true, 2, 0, 0x68766331, 1, false, null), info);
        Assert.Equal("video hvc1 frame 2 packet 1", info.ToString());
    }

    [Fact]
    public void ReadVideo_ManyTracksManyCodecs_ReportsFirstTrackFourCc()
    {
        VideoTagInfo info = FlvTag.ReadVideo(Hex("96 21 61766331 00 000008"));

        Assert.True(info.IsMultitrack);
        Assert.Equal(0x61766331u, info.FourCc);
        Assert.Equal((byte)1, info.PacketType);
    }

    [Fact]
    public void ReadVideo_LegacyAvcCommandFrame_ReportsCommandWithoutPacketType()
    {
        Assert.Equal(new VideoTagInfo(false, 5, 7, 0, null, false, 0), FlvTag.ReadVideo(Hex("57 00")));
    }

    [Fact]
    public void ReadVideo_CommandFrame_ReportsCommandWithoutPacketType()
    {
        VideoTagInfo info = FlvTag.ReadVideo(Hex("d0 01"));

        Assert.True(info.IsEnhanced);
        Assert.Equal(5, info.FrameType);
        Assert.Equal((byte)1, info.Command);
        Assert.Null(info.PacketType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("17")]
    [InlineData("90")]
    [InlineData("97")]
    [InlineData("96")]
    [InlineData("d0")]
    [InlineData("97 ff")]
    [InlineData("97 ff 01")]
    public void Video_EmptyOrTruncated_NoThrowAndFalse(string hex)
    {
        byte[] payload = Hex(hex);

        Assert.False(FlvTag.IsVideoKeyframe(payload));
        Assert.False(FlvTag.IsVideoSequenceHeader(payload));
        _ = FlvTag.ReadVideo(payload).ToString();
    }

    [Fact]
    public void ReadVideo_Empty_Default()
    {
        Assert.Equal(default, FlvTag.ReadVideo([]));
    }

    [Theory]
    [InlineData("af 00 1210", true)] // AAC sequence header (AudioSpecificConfig)
    [InlineData("af 01 2110", false)] // AAC raw
    [InlineData("ae 00 1190", true)] // AAC, other rate/size/type bits
    [InlineData("2f fffb9064", false)] // MP3
    [InlineData("82 00", false)] // Nellymoser 8 kHz: no sequence header
    [InlineData("af", false)] // truncated before AACPacketType
    // E-RTMP: byte 0 = 9 (4) | packetType (4), then the FourCC.
    [InlineData("90 4f707573 4f707573486561640102", true)] // Opus SequenceStart (OpusHead)
    [InlineData("91 4f707573 fc", false)] // Opus CodedFrames
    [InlineData("90 6d703461 1210", true)] // mp4a SequenceStart
    [InlineData("91 6d703461 2110", false)]
    [InlineData("90 664c6143 664c6143", true)] // fLaC SequenceStart
    [InlineData("90 61632d33", true)] // ac-3 SequenceStart
    [InlineData("91 2e6d7033 fffb", false)] // .mp3 CodedFrames
    [InlineData("92 4f707573", false)] // SequenceEnd
    [InlineData("94 4f707573 0106", false)] // MultichannelConfig: not the codec configuration
    [InlineData("95 00 4f707573 00", true)] // Multitrack OneTrack, SequenceStart
    [InlineData("95 11 6d703461 01 000002 2110", false)] // Multitrack ManyTracks, CodedFrames
    [InlineData("95 20 6d703461 00 000002 1210", true)] // ManyTracksManyCodecs, SequenceStart
    [InlineData("97 00 aa 00 4f707573", true)] // ModEx, then SequenceStart
    [InlineData("90", false)] // truncated before the FourCC
    [InlineData("90 4f70", false)]
    [InlineData("95", false)]
    [InlineData("97 03 00", false)]
    [InlineData("", false)]
    public void IsAudioSequenceHeader_Payloads_AsExpected(string hex, bool expected)
    {
        Assert.Equal(expected, FlvTag.IsAudioSequenceHeader(Hex(hex)));
    }

    [Theory]
    [InlineData("94 4f707573 0106", true)]
    [InlineData("95 04 4f707573 00", true)] // inside a multitrack header
    [InlineData("90 4f707573", false)]
    [InlineData("af 00 1210", false)]
    [InlineData("94", false)]
    [InlineData("", false)]
    public void IsAudioMultichannelConfig_Payloads_AsExpected(string hex, bool expected)
    {
        Assert.Equal(expected, FlvTag.IsAudioMultichannelConfig(Hex(hex)));
    }

    [Fact]
    public void ReadAudio_LegacyAac_ReportsFormatAndPacketType()
    {
        Assert.Equal(new AudioTagInfo(false, 10, 0, 0, false), FlvTag.ReadAudio(Hex("af 00 1210")));
    }

    [Fact]
    public void ReadAudio_Mp3_HasNoPacketType()
    {
        Assert.Equal(new AudioTagInfo(false, 2, 0, null, false), FlvTag.ReadAudio(Hex("2f fffb")));
    }

    [Fact]
    public void ReadAudio_EnhancedOpus_ReportsFourCc()
    {
        AudioTagInfo info = FlvTag.ReadAudio(Hex("91 4f707573 fc"));

        Assert.Equal(new AudioTagInfo(true, 9, 0x4F707573, 1, false), info);
        Assert.Equal("audio Opus packet 1", info.ToString());
    }

    [Fact]
    public void ReadAudio_MultitrackManyCodecs_ReportsFirstTrackFourCc()
    {
        AudioTagInfo info = FlvTag.ReadAudio(Hex("95 20 6d703461 00 000002"));

        Assert.True(info.IsMultitrack);
        Assert.Equal(0x6D703461u, info.FourCc);
        Assert.Equal((byte)0, info.PacketType);
    }

    [Fact]
    public void ReadAudio_Empty_Default()
    {
        Assert.Equal(default, FlvTag.ReadAudio([]));
    }
}
