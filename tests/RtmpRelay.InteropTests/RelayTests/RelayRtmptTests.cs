using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// RTMP tunnelled in HTTP (RTMPT) and HTTPS (RTMPTS): encoders publish through the tunnel and the recordings must
/// pass the oracle; players play through the tunnel and their output must pass the player oracle.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRtmptTests(ITestOutputHelper output)
{
    /// <summary>
    /// ffmpeg 5.1 over rtmpt buffers 10 packets per HTTP request (-rtmp_flush_interval 10) and sends what is still
    /// buffered only after it has closed the tunnel, so the end of the stream is lost; flushing every packet avoids it.
    /// </summary>
    internal static readonly string[] FlushEveryPacket = ["-rtmp_flush_interval", "1"];

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan JoinAfter = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Relay_FfmpegPublishesOverRtmpt_BothDestinationRecordingsPassOracle() =>
        await FfmpegPublishesTunnelled("rtmpt", "fft");

    [Fact]
    public async Task Relay_FfmpegPublishesOverRtmpts_BothDestinationRecordingsPassOracle() =>
        await FfmpegPublishesTunnelled("rtmpts", "ffts");

    [Fact]
    public async Task Relay_GstRtmpSinkPublishesOverRtmpt_BothDestinationRecordingsPassOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmpt: true));

        var publisher = await rig.StartGstPublisherAsync(GstSink.RtmpSink, media.Path, relay.Url("rtmpt", "gstt"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        var sent = await FrameMd5.ListAsync(publisher.SentPath);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("gstt", "a"), sent);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("gstt", "b"), sent);
    }

    [Fact]
    public async Task Relay_RtmpdumpPlaysOverRtmptWhileFfmpegPublishes_OutputPassesPlayerOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmpt: true));
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("dumpedt"));
        await Task.Delay(JoinAfter);

        var player = rig.StartRtmpdump(relay.Url("rtmpt", "dumpedt"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(1.5)), "rtmpdump had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
    }

    [Fact]
    public async Task Relay_FfmpegPlaysOverRtmptWhileFfmpegPublishes_OutputPassesPlayerOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmpt: true));
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("watchedt"));
        await Task.Delay(JoinAfter);

        // Over rtmpt ffmpeg's probing of the input takes longer (every read is an HTTP round trip): keep it short so
        // the player has media left to record before the 4.5 s stream ends.
        var player = rig.StartFfmpegPlayer(relay.Url("rtmpt", "watchedt"), TimeSpan.FromSeconds(2), inputOptions: ["-analyzeduration", "500000", "-probesize", "65536"]);

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(3)), "The ffmpeg player had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
    }

    /// <summary>
    /// The README: the TLS ports use a self-signed development certificate the relay creates on first start; an RTMPTS
    /// endpoint with the development certificate paths and no RTMPS endpoint must start (and create it) too.
    /// </summary>
    [Fact]
    public async Task Relay_OnlyRtmptsEndpointWithDevCertificatePaths_StartsAndRecordingPassesOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmpts: true));

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("rtmpts", "onlyts"), outputOptions: FlushEveryPacket);

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("onlyts", "a"), media.Listing);
    }

    private async Task FfmpegPublishesTunnelled(string scheme, string stream)
    {
        await using var rig = InteropRig.Create(output, $"Relay_FfmpegPublishesOver_{scheme}");
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        // rtmpts needs the development certificate, which the relay creates for the Rtmps endpoint's paths.
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmps: scheme == "rtmpts", rtmpt: scheme == "rtmpt", rtmpts: scheme == "rtmpts"));

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url(scheme, stream), outputOptions: FlushEveryPacket);

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(stream, "a"), media.Listing);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(stream, "b"), media.Listing);
    }
}
