using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;
using static RtmpRelay.InteropTests.Oracle.MediaListing;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>
/// The oracle for "a contiguous run of the source starting on a keyframe" can fail: slices of the real test media's
/// listing pass, and fail when they start off a keyframe, have a gap or a changed packet, run too long or too short,
/// lack audio, or put audio and video at different offsets.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class SourceRunOracleTests(ITestOutputHelper output)
{
    // GOP 25: video packets 0, 25, 50 ... are keyframes. The 4.5 s clip (113 frames) joined at video packet 25 lasts 88 frames, 3.52 s.
    private const int KeyframeVideoPacket = 25;
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task KeyframeProbe_TestMedia_FlagsEveryTwentyFifthVideoPacket()
    {
        var media = await TestMedia.GetAsync();

        var keyframes = await KeyframeProbe.VideoKeyframeFlagsAsync(media.Path);

        Assert.Equal(media.Listing.PacketsOf(Video).Count, keyframes.Count);
        Assert.Equal(Enumerable.Range(0, keyframes.Count).Where(k => k % 25 == 0), Enumerable.Range(0, keyframes.Count).Where(k => keyframes[k]));
    }

    [Fact]
    public async Task SourceRunOracle_RunFromKeyframeWithOffset_Passes()
    {
        var (source, keyframes) = await SourceAsync();

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: -987), Short, Long);
        output.WriteLine(result.Report);

        Assert.True(result.Passed, result.Report);
        Assert.Contains("from video packet 25, 3.520 s of video (timestamp offset -987)", result.Report);
    }

    [Fact]
    public async Task SourceRunOracle_RunStartsOffKeyframe_Fails()
    {
        var (source, keyframes) = await SourceAsync();

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.JoinAt(source, KeyframeVideoPacket + 3, offset: 0), TimeSpan.Zero, Long);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("starts at source video packet 28, which is not a keyframe (keyframes before and after it: 25, 50)", result.Report);
    }

    [Fact]
    public async Task SourceRunOracle_RunTooLong_Fails()
    {
        var (source, keyframes) = await SourceAsync();

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0), TimeSpan.Zero, Short);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("the run lasts 3.520 s, expected between 0 and 3 s", result.Report);
    }

    [Fact]
    public async Task SourceRunOracle_RunTooShort_Fails()
    {
        var (source, keyframes) = await SourceAsync();

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0), Long, TimeSpan.FromSeconds(10));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("the run lasts 3.520 s", result.Report);
    }

    [Fact]
    public async Task SourceRunOracle_PacketMissingInsideRun_FailsAtGap()
    {
        var (source, keyframes) = await SourceAsync();
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.Remove(joined, Video, 12), Short, Long);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(12, result.Stream(Video)!.FirstMismatchIndex);
        Assert.Null(result.Stream(Audio)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task SourceRunOracle_AlteredPacket_Fails()
    {
        var (source, keyframes) = await SourceAsync();
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.Replace(joined, Audio, 20, p => p with { Size = p.Size + 1 }), Short, Long);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(20, result.Stream(Audio)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task SourceRunOracle_NoAudio_Fails()
    {
        var (source, keyframes) = await SourceAsync();
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);
        var videoOnly = new MediaListing("video only", joined.Streams.Where(s => s.MediaType == Video).ToList(), joined.PacketsOf(Video));

        var result = SourceRunOracle.Check(source, keyframes, videoOnly, Short, Long);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("the recording has no audio packets", result.Report);
    }

    [Fact]
    public async Task SourceRunOracle_AudioAndVideoAtDifferentOffsets_Fails()
    {
        var (source, keyframes) = await SourceAsync();
        var joined = ListingTampering.JoinAt(source, KeyframeVideoPacket, offset: 0);

        var result = SourceRunOracle.Check(source, keyframes, ListingTampering.Shift(joined, 100, Audio), Short, Long);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.True(result.Stream(Audio)!.TimestampMismatches > 0);
        Assert.Equal(0, result.Stream(Video)!.TimestampMismatches);
    }

    private static async Task<(MediaListing Source, IReadOnlyList<bool> Keyframes)> SourceAsync()
    {
        var media = await TestMedia.GetAsync();
        return (media.Listing, await KeyframeProbe.VideoKeyframeFlagsAsync(media.Path));
    }
}
