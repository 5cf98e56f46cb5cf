using RtmpRelay.InteropTests.Oracle;
using static RtmpRelay.InteropTests.Oracle.MediaListing;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>The framemd5 parser, on text as ffmpeg 5.1 prints it for an nginx-rtmp recording (side data on the first audio packet).</summary>
public sealed class MediaListingTests
{
    private const string Recording = """
        #format: frame checksums
        #version: 2
        #hash: MD5
        #extradata 0,                              37, 320e42cfb12b48454cd49108e61c0555
        #extradata 1,                               5, 93f76776932f35aabd5cc1be21caf0bc
        #software: Lavf59.27.100
        #tb 0: 1/1000
        #media_type 0: video
        #codec_id 0: h264
        #dimensions 0: 320x240
        #sar 0: 1/1
        #tb 1: 1/1000
        #media_type 1: audio
        #codec_id 1: aac
        #sample_rate 1: 44100
        #channel_layout_name 1: stereo
        #stream#, dts,        pts, duration,     size, hash
        1,          0,          0,       23,      133, d160ae887c84bc7e7be862ad6c54047a, S=1,        5, 93f76776932f35aabd5cc1be21caf0bc
        0,         23,         23,       40,     8657, 731df5f959ff61c820d4fe864c5fd6a4
        1,         23,         23,       23,      230, 4bc5d05e4c461b449249266f20801481

        """;

    [Fact]
    public void MediaListing_ParseRecording_ReadsStreamsExtradataAndPackets()
    {
        var listing = MediaListing.Parse(Recording, "recording");

        Assert.Equal(2, listing.Streams.Count);
        var video = listing.StreamOf(Video)!;
        Assert.Equal(("h264", "1/1000", 37, "320e42cfb12b48454cd49108e61c0555"), (video.CodecId, video.TimeBase, video.ExtradataSize!.Value, video.ExtradataHash!));
        Assert.Equal("aac", listing.StreamOf(Audio)!.CodecId);
        Assert.Equal(3, listing.Packets.Count);
        Assert.Equal(new MediaPacket(0, 23, 23, 40, 8657, "731df5f959ff61c820d4fe864c5fd6a4"), listing.PacketsOf(Video).Single());
        Assert.Equal([133, 230], listing.PacketsOf(Audio).Select(p => p.Size));
    }

    [Fact]
    public void MediaListing_PacketWithSideData_IgnoresSideDataColumns()
    {
        var withSideData = MediaListing.Parse(Recording, "recording");
        var without = MediaListing.Parse(Recording.Replace(", S=1,        5, 93f76776932f35aabd5cc1be21caf0bc", ""), "source");

        Assert.True(RecordingComparer.Compare(without, withSideData).Passed);
        Assert.Equal("d160ae887c84bc7e7be862ad6c54047a", withSideData.PacketsOf(Audio)[0].Hash);
    }

    [Fact]
    public void MediaListing_TruncatedLine_Throws()
    {
        Assert.Throws<FormatException>(() => MediaListing.Parse("#tb 0: 1/1000\n0, 23, 23, 40\n", "bad"));
    }

    [Fact]
    public void MediaListing_Empty_HasNoStreams()
    {
        var listing = MediaListing.Parse("#format: frame checksums\n", "empty");

        Assert.Empty(listing.Streams);
        Assert.Empty(listing.PacketsOf(Video));
    }
}
