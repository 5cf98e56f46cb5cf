using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Scale-out without a node list: three relays behind an nginx round-robin HTTP front (no affinity), configured only
/// with their node id and Relay:Cluster:NodeAddressTemplate. In Kubernetes the template is a DNS name per pod
/// (http://{node}.rtmp-relay-headless:8080); here, with 127.0.0.0/8 only and no DNS server, each node has its own
/// loopback address and the same RTMPT port, the node ids are the address's last byte (11, 12, 13: DNS labels too), and
/// the template is http://127.0.0.{node}:PORT/. The relay does the same thing either way: it puts the session id's node
/// into the template and forwards there; only the name lookup differs (a DNS failure has a unit test).
/// Also: the published build runs from / on its own settings.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayScaleOutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan JoinAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan EdgeDuration = TimeSpan.FromSeconds(12);
    private static readonly string[] Nodes = ["11", "12", "13"];

    /// <summary>
    /// GStreamer's rtmpsink (librtmp) publishes over rtmpt through the front and its destination's recording matches what
    /// it sent; rtmpdump plays over rtmpt through the front and its output passes the player oracle; the requests of
    /// both were spread over the nodes and forwarded to the session's owner; then a node goes away and a request for
    /// one of its sessions gets a clean 502 from the node it lands on, which logs why.
    /// </summary>
    [Fact]
    public async Task ScaleOut_ThreeNodesBehindRoundRobinFrontWithAddressTemplate_RtmptPublishAndPlayPassAndGoneNodeIs502()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        // The edge stream must still be live when the player's play reaches its node: after the edge pushes, the join
        // delay and librtmp's RTMPT connect through the front, which on a busy machine outlast the 4.5 s default clip.
        var edgeMedia = await TestMedia.GetAsync(EdgeDuration);
        var nginx = await rig.StartNginxAsync();
        var rtmptPort = FreePortOnEvery(Nodes.Select(Address));
        var endpoints = Nodes.Select(_ => RelayEndpoints.Allocate()).ToArray();

        // Every node records application "live" at nginx. Application "edge" is published at node 11 only, which pushes
        // it on to the other two, so a player gets it whichever node owns its session (a local stream lives on one node).
        var relays = new RelayProcess[Nodes.Length];
        for (var i = 0; i < Nodes.Length; i++)
        {
            string[] edge = i == 0
                ? [.. Nodes.Skip(1).Select((n, j) => $"--Relay:Applications:edge:Destinations:to{n}:Url=rtmp://127.0.0.1:{endpoints[j + 1].Rtmp}/edge/{{stream}}")]
                : [];
            relays[i] = await rig.StartRelayAsync(
                [("d", RelayProcess.DestinationUrl(nginx, "d"))],
                [
                    .. RelayPublishTests.RelayLogging,
                    $"--Kestrel:Endpoints:Rtmpt:Url=rtmpt://{Address(Nodes[i])}:{rtmptPort}",
                    $"--Relay:Cluster:NodeId={Nodes[i]}",
                    $"--Relay:Cluster:NodeAddressTemplate=http://127.0.0.{{node}}:{rtmptPort}/",
                    "--Relay:Applications:edge:AllowPublish=true",
                    "--Relay:Applications:edge:AllowPlay=true",
                    // A stream ends with its publisher (no bridging wait): the recording completes and the players end.
                    "--Relay:Applications:edge:ReconnectGrace=00:00:00",
                    $"--Relay:Applications:{RelayProcess.Application}:ReconnectGrace=00:00:00",
                    .. edge,
                ],
                endpoints[i],
                $"relay-{Nodes[i]}");
        }

        var front = await rig.StartNginxHttpAsync("nginx-front",
            $"upstream relays {{ {string.Concat(Nodes.Select(n => $"server {Address(n)}:{rtmptPort}; "))}}}",
            _ => "location / { proxy_pass http://relays; proxy_http_version 1.1; proxy_set_header Connection \"\"; }");
        var frontUrl = $"rtmpt://127.0.0.1:{front.Port}";

        var encoder = rig.StartFfmpegPublisher(edgeMedia.Path, relays[0].Url("played").Replace("/live/", "/edge/", StringComparison.Ordinal), "ffmpeg-edge");
        var publisher = await rig.StartGstPublisherAsync(GstSink.RtmpSink, media.Path, $"{frontUrl}/live/scaled");
        foreach (var relay in relays)
        {
            Assert.True(await relay.LogContainsAsync("Publishing edge/played"), $"{relay.Name} never carried edge/played.\n{relay.Describe(80)}");
        }
        await Task.Delay(JoinAfter);
        var player = rig.StartRtmpdump($"{frontUrl}/edge/played");

        var exit = await publisher.WaitForExitAsync(PublishTimeout);
        Assert.True(exit == 0, $"GStreamer rtmpsink exited with {exit}.\n{publisher.Describe()}\n{front.Describe()}");
        Assert.Equal(0, await encoder.WaitForExitAsync(PublishTimeout));
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(3)), "rtmpdump had to be killed.");
        await AssertRecordingIsSentOrItsPrefixAsync(rig, nginx, RelayProcess.DestinationStream("scaled", "d"), await FrameMd5.ListAsync(publisher.SentPath));
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, edgeMedia.Listing);

        // Both clients' requests went round the nodes and reached their sessions' owners: forwarded, never lost.
        var servedBy = front.AccessLog().Select(l => Regex.Match(l, @"upstream=(\S+)").Groups[1].Value).Where(u => u.Length > 0).Distinct().ToList();
        var forwarded = relays.Sum(r => Count(r.Log, "'s session forwarded to http://127.0.0."));
        rig.Log($"front used {string.Join(", ", servedBy)}; requests forwarded between nodes: {forwarded}");
        Assert.Equal(Nodes.Length, servedBy.Count);
        Assert.True(forwarded > 0, $"No request was forwarded.\n{string.Join("\n", relays.Select(r => r.Describe(60)))}");
        Assert.All(relays, r => Assert.DoesNotContain("could not be forwarded", r.Log));

        // A node that is gone: its sessions' requests land on another node, which answers 502 and says why.
        using var http = LoopbackHttp.Create();
        string? gone = null;
        for (var attempt = 0; attempt < 3 && gone is null; attempt++)
        {
            var (status, id) = await http.OpenRtmptSessionAsync(front.BaseAddress);
            Assert.True(status == HttpStatusCode.OK && id is not null, $"POST /open/1 through the front answered {(int)status}.\n{front.Describe()}");
            var owner = id![..id.IndexOf('.', StringComparison.Ordinal)];
            if (owner != Nodes[0]) // keep node 11, the edge origin, alive
            {
                gone = id;
                var index = Array.IndexOf(Nodes, owner);
                relays[index].Dispose();
                rig.Log($"stopped node {owner}, owner of an open session");
            }
        }
        Assert.NotNull(gone);
        var goneNode = gone[..gone.IndexOf('.', StringComparison.Ordinal)];
        using var idle = await http.PostRtmptAsync(front.BaseAddress, $"idle/{gone}/1", [0]);
        Assert.Equal(HttpStatusCode.BadGateway, idle.StatusCode);
        var alive = relays.Where(r => !r.HasExited).ToList();
        Assert.True(await AnyLogContainsAsync(alive, $"RTMPT request for node {goneNode}'s session could not be forwarded"),
            $"No node logged why node {goneNode}'s session could not be reached.\n{string.Join("\n", alive.Select(r => r.Describe(40)))}");
        Assert.Contains(alive, r => Regex.IsMatch(r.Log, $"node {goneNode}'s session could not be forwarded: Request at http://127\\.0\\.0\\.{goneNode}:{rtmptPort}/: .*refused", RegexOptions.IgnoreCase));

        // A session id whose node part is not a DNS label is never put into a URL: unknown session.
        using var hostile = await http.PostRtmptAsync(front.BaseAddress, "idle/evil@127.0.0.1:1985.abc/1", [0]);
        Assert.Equal(HttpStatusCode.NotFound, hostile.StatusCode);
        Assert.All(alive, r => Assert.DoesNotContain("node evil@", r.Log));
    }

    /// <summary>
    /// The published layout (the build output with appsettings.json beside the assembly, as dotnet publish makes it),
    /// started with the working directory / and only its ports moved: it takes its own folder as content root, reads its
    /// appsettings.json there, listens, leaves the RTMPS and RTMPTS endpoints out (no development certificate in a
    /// published build) and writes nothing into its folder.
    /// </summary>
    [Fact]
    public async Task ScaleOut_PublishedBuildStartedFromRoot_OwnFolderIsContentRootAndItListens()
    {
        await using var rig = InteropRig.Create(output);
        var app = Path.Combine(rig.WorkDirectory, "app");
        CopyDirectory(Path.GetDirectoryName(RepoLayout.RelayDll)!, app);
        File.Copy(Path.Combine(RepoLayout.RepoRoot, "appsettings.json"), Path.Combine(app, "appsettings.json"));
        var rtmp = FreePort.Next();
        var rtmpt = FreePort.Next();
        var admin = FreePort.Next();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : PeerBinaries.Require("dotnet", "the .NET 10 SDK");
        var environment = new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1" };
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k =>
                     k.StartsWith("Relay__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_CONTENTROOT", StringComparison.OrdinalIgnoreCase) ||
                     k.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)))
        {
            environment[key] = null;
        }

        var relay = rig.Own(ManagedProcess.Start("relay-published", dotnet,
            [
                Path.Combine(app, "RtmpRelay.dll"),
                $"--Kestrel:Endpoints:Rtmp:Url=rtmp://127.0.0.1:{rtmp}",
                $"--Kestrel:Endpoints:Rtmpt:Url=rtmpt://127.0.0.1:{rtmpt}",
                $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{admin}",
            ],
            "/", Path.Combine(rig.WorkDirectory, "relay-published.log"), environment), () => "relay-published");

        Assert.True(await TcpProbe.WaitUntilAcceptingAsync(rtmp, TimeSpan.FromSeconds(20), () => relay.HasExited),
            $"The published relay did not listen on {rtmp}.\n{relay.Describe()}");
        Assert.True(await TcpProbe.WaitUntilAcceptingAsync(rtmpt, TimeSpan.FromSeconds(5)), $"No RTMPT on {rtmpt}.\n{relay.Describe()}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!relay.Output.Contains("Content root path:", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains($"Content root path: {app}", relay.Output);
        // appsettings.json's application "live" came from the app folder, not from the working directory.
        Assert.Contains("Application live:", relay.Output);
        Assert.Contains("TLS endpoints left out: Rtmps (rtmps://0.0.0.0:1936), Rtmpts (rtmpts://0.0.0.0:8443)", relay.Output);
        Assert.False(Directory.Exists(Path.Combine(app, "certs")), "The published relay created a certificate in its folder.");
        // SIGTERM, as docker stop, systemctl stop and Kubernetes send: a drain (nothing to wait for here), exit code 0.
        Assert.True(relay.Signal(UnixSignals.SigTerm), "SIGTERM could not be sent.");
        Assert.True(await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"The relay did not stop on SIGTERM.\n{relay.Describe()}");
        Assert.Contains("Connections drained after", relay.Output);
        Assert.Equal(0, relay.ExitCode);
    }

    /// <summary>
    /// The recording is what GStreamer sent, unaltered and in order, but for at most <see cref="MaxTailLoss"/> packets at
    /// the very end: librtmp over RTMPT closes its socket at EOS without reading the answers to its last requests, so the
    /// front may get a reset before its last /send (nginx: "client prematurely closed connection"); those packets never
    /// reach any relay. What reaches a node is forwarded whole (a client hanging up does not cancel a forward).
    /// </summary>
    private static async Task AssertRecordingIsSentOrItsPrefixAsync(InteropRig rig, NginxRtmp nginx, string streamName, MediaListing sent)
    {
        var recorded = await FrameMd5.ListAsync(await rig.WaitForRecordingAsync(nginx, streamName));
        OracleResult? result = null;
        var lost = 0;
        for (; lost <= MaxTailLoss && lost < sent.Packets.Count; lost++)
        {
            result = RecordingComparer.Compare(sent.WithPackets(sent.Packets.Take(sent.Packets.Count - lost)), recorded);
            if (result.Passed)
            {
                break;
            }
        }
        rig.Log($"recording of {streamName}: the sent packets but the last {lost}\n{result!.Report}");
        Assert.True(result.Passed, $"Not what GStreamer sent (even without its last {MaxTailLoss} packets):\n{result.Report}");
    }

    private const int MaxTailLoss = 5;

    private static string Address(string node) => $"127.0.0.{node}";

    /// <summary>A TCP port free on each of <paramref name="addresses"/> (a moment ago).</summary>
    private static int FreePortOnEvery(IEnumerable<string> addresses)
    {
        var list = addresses.Select(IPAddress.Parse).ToList();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = FreePort.Next();
            var free = true;
            foreach (var address in list)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(address, port));
                }
                catch (SocketException)
                {
                    free = false;
                    break;
                }
            }
            if (free)
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No port free on all of {string.Join(", ", list)}.");
    }

    private static async Task<bool> AnyLogContainsAsync(IEnumerable<RelayProcess> relays, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (relays.Any(r => r.Log.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;
}
