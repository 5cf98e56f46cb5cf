using System.Net;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// The RTMPT port as a front door: HTTP requests that are not RTMPT go through YARP to a web site (an nginx serving a
/// file), or get 404 without routes; RTMPT paths used wrongly get the proper status.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRtmptFrontDoorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Relay_NonRtmptGetOnRtmptPortWithRoute_ReturnsBackendContent()
    {
        await using var rig = InteropRig.Create(output);
        var content = $"front door {Guid.NewGuid():N}\n";
        var site = await rig.StartNginxHttpAsync("nginx-site", "", NginxHttp.StaticSite,
            prefix => File.WriteAllText(Path.Combine(prefix, "www", "page.txt"), content));
        var relay = await rig.StartRelayAsync(
            [],
            [
                .. RelayPublishTests.RelayLogging,
                "--ReverseProxy:Routes:site:ClusterId=site",
                "--ReverseProxy:Routes:site:Match:Path={**catch-all}",
                $"--ReverseProxy:Clusters:site:Destinations:web:Address={site.BaseAddress}",
            ],
            RelayEndpoints.Allocate(rtmpt: true));
        using var http = LoopbackHttp.Create();

        using var page = await http.GetAsync(new Uri(relay.RtmptBaseAddress, "page.txt"));
        var body = await page.Content.ReadAsStringAsync();
        // RTMPT itself still answers on the same port: its literal paths win over the catch-all route.
        var (openStatus, sessionId) = await http.OpenRtmptSessionAsync(relay.RtmptBaseAddress);

        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET /page.txt through the relay answered {(int)page.StatusCode}: {body}\n{site.Describe()}");
        Assert.Equal(content, body);
        Assert.Contains(site.AccessLog(), l => l.StartsWith("GET /page.txt 200", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, openStatus);
        Assert.False(string.IsNullOrEmpty(sessionId), "POST /open/1 returned no session id.");
    }

    [Fact]
    public async Task Relay_HttpRequestsOnRtmptPortWithoutRoutes_Answered404Or405()
    {
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmpt: true));
        using var http = LoopbackHttp.Create();

        using var page = await http.GetAsync(new Uri(relay.RtmptBaseAddress, "page.txt"));
        using var getSend = await http.GetAsync(new Uri(relay.RtmptBaseAddress, "send/x/1"));
        using var postUnknown = await http.PostRtmptAsync(relay.RtmptBaseAddress, "send/unknown/1", [0x03]);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, getSend.StatusCode);
        Assert.Contains("POST", getSend.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.NotFound, postUnknown.StatusCode);
        Assert.True(await relay.LogContainsAsync("RTMPT /send/x/1 from 127.0.0.1 answered 405"),
            $"The relay did not log the 405.\n{relay.Describe()}");
        Assert.True(await relay.LogContainsAsync("RTMPT /send/unknown/1 from 127.0.0.1 answered 404: unknown or closed session"),
            $"The relay did not log the 404.\n{relay.Describe()}");
    }
}
