using System.Net;
using System.Text;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// RTMPT's caps on a real relay: sessions per client (a second client address, 127.0.0.2, runs into the cap while
/// an encoder on 127.0.0.1 publishes undisturbed), request body size, and a session whose body is not RTMP.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRtmptLimitTests(ITestOutputHelper output)
{
    private const int MaxSessionsPerClient = 4;
    private const int MaxRequestBodyBytes = 256 * 1024;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);
    private static readonly IPAddress SecondClient = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Relay_RtmptSessionsOverPerClientCap_Refused429WhileOtherClientPublishes()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Rtmpt:MaxSessionsPerClient={MaxSessionsPerClient}"],
            RelayEndpoints.Allocate(rtmpt: true));
        using var second = LoopbackHttp.Create(SecondClient);

        // Open sessions from 127.0.0.2 until refused (bounded: twice the cap).
        var statuses = new List<HttpStatusCode>();
        while (statuses.Count < 2 * MaxSessionsPerClient && statuses.LastOrDefault(HttpStatusCode.OK) == HttpStatusCode.OK)
        {
            statuses.Add((await second.OpenRtmptSessionAsync(relay.RtmptBaseAddress)).Status);
        }

        rig.Log($"POST /open/1 from {SecondClient}: {string.Join(", ", statuses.Select(s => (int)s))}");
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, MaxSessionsPerClient), HttpStatusCode.TooManyRequests], statuses);
        Assert.True(await relay.LogContainsAsync($"RTMPT session for {SecondClient} refused: client has {MaxSessionsPerClient} sessions open"),
            $"The relay did not log the refusal.\n{relay.Describe()}");

        // 127.0.0.1 is another client: its encoder opens its session and publishes while 127.0.0.2 stays at the cap.
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("rtmpt", "capped"), outputOptions: RelayRtmptTests.FlushEveryPacket);
        Assert.True(await relay.LogContainsAsync("Publishing live/capped"), $"The RTMPT publisher never started publishing.\n{relay.Describe()}");
        var (duringPublish, _) = await second.OpenRtmptSessionAsync(relay.RtmptBaseAddress);

        Assert.Equal(HttpStatusCode.TooManyRequests, duringPublish);
        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("capped", "a"), media.Listing);
    }

    [Fact]
    public async Task Relay_RtmptBodyOverCapOrNotRtmp_Refused413OrSessionEnds()
    {
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync(
            [],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Rtmpt:MaxRequestBodyBytes={MaxRequestBodyBytes}"],
            RelayEndpoints.Allocate(rtmpt: true));
        using var http = LoopbackHttp.Create();
        var baseAddress = relay.RtmptBaseAddress;

        // Over the body cap: 413, for /open as for /send.
        var oversized = new byte[MaxRequestBodyBytes + 1];
        oversized[0] = 0x03;
        using var openTooLarge = await http.PostRtmptAsync(baseAddress, "open/1", oversized);
        var (openStatus, id) = await http.OpenRtmptSessionAsync(baseAddress);
        Assert.Equal(HttpStatusCode.OK, openStatus);
        using var sendTooLarge = await http.PostRtmptAsync(baseAddress, $"send/{id}/1", oversized);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, openTooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sendTooLarge.StatusCode);
        Assert.True(await relay.LogContainsAsync($"over {MaxRequestBodyBytes}"), $"The relay did not log the 413.\n{relay.Describe()}");

        // A /send whose body is not RTMP (an HTTP request, C0 'G'): the relay ends the session; polls soon get 404.
        using var notRtmp = await http.PostRtmptAsync(baseAddress, $"send/{id}/2", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: relay\r\n\r\n"));
        rig.Log($"/send with a non-RTMP body answered {(int)notRtmp.StatusCode}");
        var idleStatuses = new List<HttpStatusCode>();
        for (var seq = 3; seq < 8 && idleStatuses.LastOrDefault() != HttpStatusCode.NotFound; seq++)
        {
            using var idle = await http.PostRtmptAsync(baseAddress, $"idle/{id}/{seq}", [0]);
            idleStatuses.Add(idle.StatusCode);
        }

        rig.Log($"/idle after it: {string.Join(", ", idleStatuses.Select(s => (int)s))}");
        Assert.Equal(HttpStatusCode.NotFound, idleStatuses.Last());
        Assert.True(await relay.LogContainsAsync("Connection closed on a protocol error: not RTMP: first byte 0x47 ('G')"),
            $"The relay did not log the protocol error.\n{relay.Describe()}");
    }
}
