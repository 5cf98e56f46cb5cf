using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Encoders publish to the relay, which pushes the stream to two destinations (two stream names on one nginx-rtmp);
/// both recordings must hold every audio and video packet of what the encoder sent, bit-exact and in order.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayPublishTests(ITestOutputHelper output)
{
    internal static readonly string[] RelayLogging = ["--Logging:LogLevel:Default=Information", "--Logging:LogLevel:RtmpRelay=Debug"];
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Relay_FfmpegPublishes_BothDestinationRecordingsPassOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayLogging);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("ff"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("ff", "a"), media.Listing);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("ff", "b"), media.Listing);
    }

    [Fact]
    public async Task Relay_GstRtmp2SinkPublishes_BothDestinationRecordingsPassOracle() =>
        await GstPublishes(GstSink.Rtmp2Sink, "gst2");

    [Fact]
    public async Task Relay_GstRtmpSinkPublishes_BothDestinationRecordingsPassOracle() =>
        await GstPublishes(GstSink.RtmpSink, "gst1");

    private async Task GstPublishes(GstSink sink, string stream)
    {
        await using var rig = InteropRig.Create(output, $"Relay_GstPublishes_{sink}");
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayLogging);

        var publisher = await rig.StartGstPublisherAsync(sink, media.Path, relay.Url(stream));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        var sent = await FrameMd5.ListAsync(publisher.SentPath);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(stream, "a"), sent);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(stream, "b"), sent);
    }
}
