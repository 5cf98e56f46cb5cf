using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// RTMPE (encrypted RTMP, on the plain RTMP port) and RTMPTE (RTMPE in the HTTP tunnel) against librtmp, the client
/// of Flash-era tools (GStreamer's rtmpsink, rtmpdump); relays chained over every non-plain variant; and RTMPE
/// refused on an endpoint that turns it off.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRtmpeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan JoinAfter = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Relay_GstRtmpSinkPublishesOverRtmpe_BothDestinationRecordingsPassOracle() =>
        await GstRtmpSinkPublishes("rtmpe", "gste");

    [Fact]
    public async Task Relay_GstRtmpSinkPublishesOverRtmpte_BothDestinationRecordingsPassOracle() =>
        await GstRtmpSinkPublishes("rtmpte", "gstte");

    [Theory]
    [InlineData("None")]
    [InlineData("Xtea")]
    [InlineData("Blowfish")]
    public async Task Relay_RtmpdumpPlaysOverRtmpeAndRtmpteWithServerResponse_OutputsPassPlayerOracle(string serverResponse)
    {
        await using var rig = InteropRig.Create(output, $"Relay_RtmpdumpPlaysOverRtmpe_{serverResponse}");
        var media = await TestMedia.GetAsync();
        var relay = await rig.StartRelayAsync(
            [],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Rtmpe:ServerResponse={serverResponse}"],
            RelayEndpoints.Allocate(rtmpt: true));
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("crypt"));
        await Task.Delay(JoinAfter);

        var rtmpe = rig.StartRtmpdump(relay.Url("rtmpe", "crypt"), "rtmpdump-rtmpe");
        var rtmpte = rig.StartRtmpdump(relay.Url("rtmpte", "crypt"), "rtmpdump-rtmpte");

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        Assert.True(await rtmpe.FinishAsync(TimeSpan.FromSeconds(1.5)), "rtmpdump over rtmpe had to be killed.");
        Assert.True(await rtmpte.FinishAsync(TimeSpan.FromSeconds(1.5)), "rtmpdump over rtmpte had to be killed.");
        await rig.AssertPlayerOutputValidAsync(rtmpe.OutputPath, media.Listing);
        await rig.AssertPlayerOutputValidAsync(rtmpte.OutputPath, media.Listing);
        // Both players' handshakes were RTMPE with the configured S0 (the log names the signature cipher).
        var handshakes = Count(relay.Log, $"Handshake done: RTMPE ({serverResponse})");
        Assert.True(handshakes >= 2, $"The relay logged {handshakes} RTMPE ({serverResponse}) handshakes, expected 2.\n{relay.Describe()}");
    }

    [Fact]
    public async Task Relay_ChainedOverRtmpeRtmptRtmpteRtmpts_AllFourRecordingsPassOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relayB = await rig.StartRelayAsync(
            [("n", $"rtmp://127.0.0.1:{nginx.Port}/live/{{stream}}")],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmps: true, rtmpt: true, rtmpts: true),
            "relay-b");
        var fingerprint = await OpenSslTool.Sha256FingerprintAsync(relayB.CertificatePath);
        var relayA = await rig.StartRelayAsync(
            [
                ("e", relayB.Url("rtmpe", "{stream}_e")),
                ("t", relayB.Url("rtmpt", "{stream}_t")),
                ("te", relayB.Url("rtmpte", "{stream}_te")),
                ("ts", relayB.Url("rtmpts", "{stream}_ts")),
            ],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Applications:live:Destinations:ts:CertificateFingerprint={fingerprint}"],
            name: "relay-a");

        var publisher = rig.StartFfmpegPublisher(media.Path, relayA.Url("chain"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        foreach (var variant in new[] { "e", "t", "te", "ts" })
        {
            await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("chain", variant), media.Listing);
        }

        Assert.DoesNotContain("Failed:", relayA.Log);
        // What relay B saw: RTMPE handshakes for e and te, RTMPT sessions for t, te and ts.
        Assert.True(Count(relayB.Log, "Handshake done: RTMPE") >= 2, $"Relay B did not see two RTMPE handshakes.\n{relayB.Describe()}");
        Assert.True(Count(relayB.Log, "RTMPT session opened") >= 3, $"Relay B did not see three RTMPT sessions.\n{relayB.Describe()}");
    }

    [Fact]
    public async Task Relay_RtmpeTurnedOffOnEndpoint_RtmpdumpRefusedWithLoggedReasonAndPlainRtmpWorks()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, "--Kestrel:Endpoints:Rtmp:AllowRtmpe=false"]);
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("clear"));
        await Task.Delay(JoinAfter);

        var refused = rig.StartRtmpdump(relay.Url("rtmpe", "clear"), "rtmpdump-rtmpe");

        Assert.True(await refused.TryWaitForExitAsync(TimeSpan.FromSeconds(15)), $"rtmpdump over rtmpe was not refused.\n{refused.Describe()}");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.True(await relay.LogContainsAsync("Connection closed on a protocol error: RTMPE handshake (C0=0x06) is not enabled on this endpoint"),
            $"The relay did not log why it refused RTMPE.\n{relay.Describe()}");
        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("clear", "a"), media.Listing);
    }

    private async Task GstRtmpSinkPublishes(string scheme, string stream)
    {
        await using var rig = InteropRig.Create(output, $"Relay_GstRtmpSinkPublishesOver_{scheme}");
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmpt: true));

        var publisher = await rig.StartGstPublisherAsync(GstSink.RtmpSink, media.Path, relay.Url(scheme, stream));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        var sent = await FrameMd5.ListAsync(publisher.SentPath);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(stream, "a"), sent);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(stream, "b"), sent);
        Assert.Contains("Handshake done: RTMPE", relay.Log);
        Assert.Equal(scheme == "rtmpte", relay.Log.Contains("RTMPT session opened", StringComparison.Ordinal));
    }

    private static int Count(string log, string what) => log.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
}
