using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;
using static RtmpRelay.InteropTests.Oracle.MediaListing;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>The recording oracle can fail: real framemd5 listings of the test media, tampered with, are caught and reported readably.</summary>
[Collection(InteropCollection.Name)]
public sealed class RecordingComparerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RecordingComparer_IdenticalListing_Passes()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingComparer.Compare(source, source);

        Assert.True(result.Passed, result.Report);
        Assert.Equal(source.PacketsOf(Video).Count, result.Stream(Video)!.ActualCount);
        Assert.Equal(source.PacketsOf(Audio).Count, result.Stream(Audio)!.ActualCount);
    }

    [Fact]
    public async Task RecordingComparer_ConstantTimestampOffset_Passes()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingComparer.Compare(source, ListingTampering.Shift(source, 10_000));

        Assert.True(result.Passed, result.Report);
    }

    [Fact]
    public async Task RecordingComparer_FrameMd5TextMissingOneLine_FailsWithFirstMismatchAndMissingCount()
    {
        var media = await TestMedia.GetAsync();
        var text = await FrameMd5.ReadTextAsync(media.Path);
        var lines = text.Split('\n').ToList();
        var videoLines = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("0,", StringComparison.Ordinal)).ToList();
        lines.RemoveAt(videoLines[40].i);

        var result = RecordingComparer.Compare(media.Listing, MediaListing.Parse(string.Join('\n', lines), "tampered.framemd5"));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        var video = result.Stream(Video)!;
        Assert.Equal(40, video.FirstMismatchIndex);
        Assert.Equal(1, video.Missing);
        Assert.Equal(0, video.Extra);
        Assert.Null(result.Stream(Audio)!.FirstMismatchIndex);
        Assert.Contains("video: packet 40 differs", result.Report);
        Assert.Contains("video missing (source index): 1", result.Report);
    }

    [Fact]
    public async Task RecordingComparer_FrameMd5TextWithOneHashAltered_FailsAtThatPacket()
    {
        var media = await TestMedia.GetAsync();
        var text = await FrameMd5.ReadTextAsync(media.Path);
        var lines = text.Split('\n').ToArray();
        const int audioIndex = 15;
        var at = lines.Select((line, i) => (line, i)).Where(x => x.line.StartsWith("1,", StringComparison.Ordinal)).ElementAt(audioIndex).i;
        var hash = lines[at].Split(',')[5].Trim();
        lines[at] = lines[at].Replace(hash, new string(hash.Reverse().ToArray()), StringComparison.Ordinal);

        var result = RecordingComparer.Compare(media.Listing, MediaListing.Parse(string.Join('\n', lines), "tampered.framemd5"));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        var audio = result.Stream(Audio)!;
        Assert.Equal(audioIndex, audio.FirstMismatchIndex);
        Assert.Equal(1, audio.Missing);
        Assert.Equal(1, audio.Extra);
        Assert.True(result.Stream(Video)!.FirstMismatchIndex is null);
    }

    [Fact]
    public async Task RecordingComparer_FlvWithOneBitFlipped_FailsAtThatVideoPacket()
    {
        var media = await TestMedia.GetAsync();
        var dir = TestDirectory.Create(nameof(RecordingComparer_FlvWithOneBitFlipped_FailsAtThatVideoPacket));
        try
        {
            var bytes = await File.ReadAllBytesAsync(media.Path);
            var offset = FlvTags.LastPayloadByteOfVideoTag(bytes, videoTagIndex: 31); // tag 0 is the sequence header: packet 30
            bytes[offset] ^= 0x01;
            var corrupted = Path.Combine(dir, "corrupted.flv");
            await File.WriteAllBytesAsync(corrupted, bytes);

            var result = RecordingComparer.Compare(media.Listing, await FrameMd5.ListAsync(corrupted));
            output.WriteLine(result.Report);

            Assert.False(result.Passed);
            Assert.Equal(30, result.Stream(Video)!.FirstMismatchIndex);
            Assert.Equal(1, result.Stream(Video)!.Missing);
            Assert.Equal(1, result.Stream(Video)!.Extra);
        }
        finally
        {
            TestDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task RecordingComparer_DuplicatedPacket_FailsWithExtraCount()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingComparer.Compare(source, ListingTampering.Duplicate(source, Video, 12));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(13, result.Stream(Video)!.FirstMismatchIndex);
        Assert.Equal(0, result.Stream(Video)!.Missing);
        Assert.Equal(1, result.Stream(Video)!.Extra);
    }

    [Fact]
    public async Task RecordingComparer_SwappedPackets_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingComparer.Compare(source, ListingTampering.Swap(source, Video, 20));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(20, result.Stream(Video)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task RecordingComparer_TruncatedRecording_FailsWithMissingTail()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var truncated = source.WithPackets(source.Packets.Take(source.Packets.Count - 10), "truncated");

        var result = RecordingComparer.Compare(source, truncated);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        var missing = result.Stream(Video)!.Missing + result.Stream(Audio)!.Missing;
        Assert.Equal(10, missing);
        Assert.Equal(0, result.Stream(Video)!.Extra + result.Stream(Audio)!.Extra);
    }

    [Fact]
    public async Task RecordingComparer_OnePacketTimestampOff_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingComparer.Compare(source, ListingTampering.Replace(source, Video, 50, p => p with { Dts = p.Dts + 1, Pts = p.Pts + 1 }));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(1, result.Stream(Video)!.TimestampMismatches);
        Assert.Null(result.Stream(Video)!.FirstMismatchIndex);
    }

    [Fact]
    public async Task RecordingComparer_AudioShiftedAgainstVideo_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;

        var result = RecordingComparer.Compare(source, ListingTampering.Shift(source, 40, Audio));
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Equal(0, result.Stream(Video)!.TimestampMismatches);
        Assert.Equal(source.PacketsOf(Audio).Count, result.Stream(Audio)!.TimestampMismatches);
    }

    [Fact]
    public async Task RecordingComparer_AudioStreamMissing_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var videoOnly = new MediaListing("video only",
            source.Streams.Where(s => s.MediaType == Video).ToList(),
            source.PacketsOf(Video));

        var result = RecordingComparer.Compare(source, videoOnly);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("audio: the stream is missing", result.Report);
    }

    [Fact]
    public async Task RecordingComparer_DifferentExtradata_Fails()
    {
        var source = (await TestMedia.GetAsync()).Listing;
        var changed = source.WithStreams(source.Streams.Select(s => s.MediaType == Video ? s with { ExtradataHash = new string('0', 32) } : s));

        var result = RecordingComparer.Compare(source, changed);
        output.WriteLine(result.Report);

        Assert.False(result.Passed);
        Assert.Contains("video: extradata", result.Report);
    }
}
