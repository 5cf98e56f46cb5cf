using System.Net;
using System.Text.RegularExpressions;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Two relays (nodes a and b, each knowing the other's RTMPT address) behind an nginx HTTP load balancer that
/// alternates requests between them without session affinity: an RTMPT publisher's requests land on both nodes,
/// the node that does not own the session forwards them, and the stream arrives whole.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRtmptClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Relay_RtmptPublisherBehindRoundRobinBalancer_ForwardedBetweenNodesAndRecordingPasses()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var endpointsA = RelayEndpoints.Allocate(rtmpt: true);
        var endpointsB = RelayEndpoints.Allocate(rtmpt: true);
        (string, string)[] destinations = [("d", RelayProcess.DestinationUrl(nginx, "d"))];
        var relayA = await rig.StartRelayAsync(destinations, NodeArguments("a", "b", endpointsB), endpointsA, "relay-a");
        var relayB = await rig.StartRelayAsync(destinations, NodeArguments("b", "a", endpointsA), endpointsB, "relay-b");
        var (upstream, server) = NginxHttp.RoundRobin([endpointsA.Rtmpt!.Value, endpointsB.Rtmpt!.Value]);
        var balancer = await rig.StartNginxHttpAsync("nginx-balancer", upstream, _ => server);

        // The balancer alternates: sessions opened one after another through it belong to alternating nodes. Each is
        // closed at its own node (forwarded closes have a test of their own).
        using var http = LoopbackHttp.Create();
        var nodes = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var (status, id) = await http.OpenRtmptSessionAsync(balancer.BaseAddress);
            Assert.True(status == HttpStatusCode.OK && id is not null, $"POST /open/1 through the balancer answered {(int)status}.\n{balancer.Describe()}");
            var node = id![..id.IndexOf('.')];
            nodes.Add(node);
            using var closed = await http.PostRtmptAsync((node == "a" ? relayA : relayB).RtmptBaseAddress, $"close/{id}/1", [0]);
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        }

        rig.Log($"sessions opened through the balancer belong to nodes {string.Join(", ", nodes)}");
        Assert.Equal(["a", "b"], nodes.Distinct().Order());
        Assert.All(nodes.Zip(nodes.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));

        var publisher = rig.StartFfmpegPublisher(media.Path, $"rtmpt://127.0.0.1:{balancer.Port}/live/x", outputOptions: RelayRtmptTests.FlushEveryPacket);

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("x", "d"), media.Listing);
        var forwardedByA = Count(relayA.Log, "RTMPT request for node b's session forwarded");
        var forwardedByB = Count(relayB.Log, "RTMPT request for node a's session forwarded");
        rig.Log($"requests forwarded: a -> b {forwardedByA}, b -> a {forwardedByB}");
        Assert.True(forwardedByA + forwardedByB > 0, $"No request was forwarded between the nodes.\n{relayA.Describe(80)}\n{relayB.Describe(80)}");
        Assert.DoesNotContain("could not be forwarded", relayA.Log + relayB.Log);
    }

    [Fact]
    public async Task Relay_RtmptCloseForOtherNodesSession_ForwardedAndSessionClosed()
    {
        await using var rig = InteropRig.Create(output);
        var endpointsA = RelayEndpoints.Allocate(rtmpt: true);
        var endpointsB = RelayEndpoints.Allocate(rtmpt: true);
        var relayA = await rig.StartRelayAsync([], NodeArguments("a", "b", endpointsB), endpointsA, "relay-a");
        var relayB = await rig.StartRelayAsync([], NodeArguments("b", "a", endpointsA), endpointsB, "relay-b");
        using var http = LoopbackHttp.Create();

        var (status, id) = await http.OpenRtmptSessionAsync(relayA.RtmptBaseAddress);
        Assert.Equal(HttpStatusCode.OK, status);
        using var idle = await http.PostRtmptAsync(relayB.RtmptBaseAddress, $"idle/{id}/1", [0]);
        using var close = await http.PostRtmptAsync(relayB.RtmptBaseAddress, $"close/{id}/2", [0]);
        using var idleAfter = await http.PostRtmptAsync(relayA.RtmptBaseAddress, $"idle/{id}/3", [0]);

        Assert.Equal(HttpStatusCode.OK, idle.StatusCode);
        Assert.True(close.StatusCode == HttpStatusCode.OK,
            $"POST /close of node a's session at node b answered {(int)close.StatusCode}.\n{relayA.Describe(80)}\n{relayB.Describe(80)}");
        Assert.Equal(HttpStatusCode.NotFound, idleAfter.StatusCode);
        Assert.Equal(2, Count(relayB.Log, "RTMPT request for node a's session forwarded"));
        Assert.Contains("RTMPT session closed: client closed the session", relayA.Log);
    }

    private static string[] NodeArguments(string self, string other, RelayEndpoints otherEndpoints) =>
    [
        .. RelayPublishTests.RelayLogging,
        $"--Relay:Cluster:NodeId={self}",
        $"--Relay:Cluster:Nodes:{other}:Address=http://127.0.0.1:{otherEndpoints.Rtmpt}/",
    ];

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;
}
