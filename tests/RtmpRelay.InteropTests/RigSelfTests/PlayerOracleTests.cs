using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;
using static RtmpRelay.InteropTests.Oracle.MediaListing;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>The player oracle can fail: slices of the real test media's listing, spoiled in each way it must notice.</summary>
[Collection(InteropCollection.Name)]
public sealed class PlayerOracleTests(ITestOutputHelper output)
{
    // GOP 25: video packets 0, 25, 50 ... are keyframes.
    private const int KeyframeVideoPacket = 25;

    [Fact]
    public async Task PlayerOracle_ContiguousRunFromKeyframeWithOffset_Passes()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = PlayerOracle.Check(source, ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: -987, count: 120), firstVideoPacketIsKeyframe: true);
        output.WriteLine(result.Report);

        Assert.True(result.Passed, result.Report);
    }

    [Fact]
    public async Task PlayerOracle_FirstVideoPacketNotKeyframe_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = PlayerOracle.Check(source, ListingTampering.JoinAt(source, KeyframeVideoPacket + 3, offset: 0), firstVideoPacketIsKeyframe: false);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("not a keyframe", result.Report);
    }

    [Fact]
    public async Task PlayerOracle_PacketMissingInsideRun_FailsAtGap()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = PlayerOracle.Check(source, ListingTampering.Remove(joined, Audio, 7), firstVideoPacketIsKeyframe: true);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(7, result.Stream(Audio)!.FirstMismatchIndex);
        Assert.Null(result.Stream(Video)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task PlayerOracle_AlteredPacket_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = PlayerOracle.Check(source, ListingTampering.Replace(joined, Video, 10, p => p with { Size = p.Size - 1 }), firstVideoPacketIsKeyframe: true);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(10, result.Stream(Video)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task PlayerOracle_FirstPacketNotInSource_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = PlayerOracle.Check(source, ListingTampering.Replace(joined, Video, 0, p => p with { Hash = new string('f', 32) }), firstVideoPacketIsKeyframe: true);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("nowhere in the source", result.Report);
    }

    [Fact]
    public async Task PlayerOracle_NoAudio_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);
        var videoOnly = new MediaListing("video only", joined.Streams.Where(s => s.MediaType == Video).ToList(), joined.PacketsOf(Video));

        var result = PlayerOracle.Check(source, videoOnly, firstVideoPacketIsKeyframe: true);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("no audio packets", result.Report);
    }

    [Fact]
    public async Task PlayerOracle_AudioAndVideoAtDifferentOffsets_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = PlayerOracle.Check(source, ListingTampering.Shift(joined, 100, Audio), firstVideoPacketIsKeyframe: true);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.True(result.Stream(Audio)!.TimestampMismatches > 0);
    }
}
