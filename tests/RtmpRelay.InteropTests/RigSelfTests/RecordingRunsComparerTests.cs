using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;
using static RtmpRelay.InteropTests.Oracle.MediaListing;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>
/// The oracle for bridged publishes can fail: two runs of the real test media's listing, one after the other, pass;
/// spoiled in each way it must notice (a run missing, a packet changed or repeated, time going back, an offset
/// that changes inside a run), they fail and say where.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RecordingRunsComparerTests(ITestOutputHelper output)
{
    private const long Pause = 1300;

    [Fact]
    public async Task RecordingRunsComparer_TwoRunsEachAtItsOwnOffset_PassesWithOffsetsAndGap()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var secondOffset = End(source) + Pause;

        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Concatenate((source, 0), (source, secondOffset)));
        output.WriteLine(result.Report);

        Assert.True(result.Passed, result.Report);
        Assert.Equal([0, secondOffset], result.Offsets);
        Assert.Equal(TimeSpan.FromMilliseconds(Pause), result.Gaps[1]);
        Assert.Equal(2 * source.PacketsOf(Video).Count, result.Verdict.Stream(Video)!.ActualCount);
    }

    [Fact]
    public async Task RecordingRunsComparer_OneRunPublishedAlone_Passes()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingRunsComparer.Compare([source], ListingTampering.Shift(source, 777));

        Assert.True(result.Passed, result.Report);
        Assert.Equal([777], result.Offsets);
    }

    [Fact]
    public async Task RecordingRunsComparer_SecondRunMissing_FailsWithWholeRunMissing()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Shift(source, 500));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(source.PacketsOf(Video).Count, result.Verdict.Stream(Video)!.Missing);
        Assert.Equal(source.PacketsOf(Audio).Count, result.Verdict.Stream(Audio)!.Missing);
        Assert.Contains($"video: run 2: {source.PacketsOf(Video).Count} of its {source.PacketsOf(Video).Count} packets missing (the whole run", result.Report);
        Assert.Null(result.Offsets[1]);
    }

    [Fact]
    public async Task RecordingRunsComparer_PacketOfSecondRunChanged_FailsAtThatPacket()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var videoCount = source.PacketsOf(Video).Count;
        var joined = ListingTampering.Concatenate((source, 0), (source, End(source) + Pause));

        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Replace(joined, Video, videoCount + 10, p => p with { Hash = new string('e', 32) }));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        var video = result.Verdict.Stream(Video)!;
        Assert.Equal(videoCount + 10, video.FirstMismatchIndex);
        Assert.Equal((1, 1), (video.Missing, video.Extra));
        Assert.Contains("expected run 2 packet 10", result.Report);
        Assert.Null(result.Verdict.Stream(Audio)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task RecordingRunsComparer_LastPacketOfFirstRunRepeatedAtTheJoin_FailsWithExtra()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var videoCount = source.PacketsOf(Video).Count;
        var joined = ListingTampering.Concatenate((source, 0), (source, End(source) + Pause));

        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Duplicate(joined, Video, videoCount - 1));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        var video = result.Verdict.Stream(Video)!;
        Assert.Equal(videoCount, video.FirstMismatchIndex);
        Assert.Equal((0, 1), (video.Missing, video.Extra));
    }

    [Fact]
    public async Task RecordingRunsComparer_SecondRunGoesBackInTime_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        // Each run at a constant offset and every packet there: only the time going back at the join is wrong.
        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Concatenate((source, 0), (source, End(source) / 2)));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("video: dts goes back at packet", result.Report);
        Assert.Contains("audio: dts goes back at packet", result.Report);
        Assert.Null(result.Verdict.Stream(Video)!.FirstMismatchIndex);
        Assert.Equal(0, result.Verdict.Stream(Video)!.TimestampMismatches);
        Assert.True(result.Gaps[1] < TimeSpan.Zero);
    }

    [Fact]
    public async Task RecordingRunsComparer_SecondRunRestartsAtZero_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        // What a relay that forwards the second encoder's timestamps untouched would produce.
        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Concatenate((source, 0), (source, 0)));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("dts goes back", result.Report);
    }

    [Fact]
    public async Task RecordingRunsComparer_OnePacketOfSecondRunOffItsOffset_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var videoCount = source.PacketsOf(Video).Count;
        var joined = ListingTampering.Concatenate((source, 0), (source, End(source) + Pause));

        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Replace(joined, Video, videoCount + 30, p => p with { Dts = p.Dts + 1, Pts = p.Pts + 1 }));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(1, result.Verdict.Stream(Video)!.TimestampMismatches);
        Assert.Null(result.Verdict.Stream(Video)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task RecordingRunsComparer_AudioOfSecondRunAtOtherOffsetThanVideo_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var second = End(source) + Pause;
        var secondRun = ListingTampering.Shift(ListingTampering.Shift(source, second), 60, Audio);

        var result = RecordingRunsComparer.Compare([source, source], ListingTampering.Concatenate((source, 0), (secondRun, 0)));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(0, result.Verdict.Stream(Video)!.TimestampMismatches);
        Assert.Equal(source.PacketsOf(Audio).Count, result.Verdict.Stream(Audio)!.TimestampMismatches);
    }

    /// <summary>Where the listing ends: the latest dts plus duration over both streams.</summary>
    private static long End(MediaListing listing) => listing.Packets.Max(p => p.Dts + p.Duration);
}
