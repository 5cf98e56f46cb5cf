using System.Net;
using System.Text;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// The relay tried as a hostile client would, on loopback: stalled handshakes, garbage, chunk-stream and AMF bombs,
/// a silent TLS client, a slowloris HTTP request, and a frozen player beside a destination that must get every packet.
/// Every close is measured from the moment the connection opened.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayHostilePeerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    // A stalled handshake is closed by the 5 s deadline, which starts when the relay accepts the connection. Measured
    // from the client's connect it also holds the time 200 connections wait in the accept queue of a busy 2-core
    // machine, and the timers' few tens of ms.
    private static readonly TimeSpan ClosedWithin = HandshakeTimeout + TimeSpan.FromSeconds(1);
    private static readonly IPAddress StallingClient = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress GarbageClient = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task Relay_SevenHostileRtmpPeers_AllClosedWithinTheHandshakeDeadline()
    {
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging);

        // 200 stalled handshakes from one address: C0 and 100 of C1's 1536 bytes, then nothing.
        var stalled = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            var peer = await HostilePeer.ConnectAsync(relay.Port, StallingClient);
            var c0AndPartOfC1 = new byte[101];
            c0AndPartOfC1[0] = 3;
            await peer.SendAsync(c0AndPartOfC1);
            peer.WatchForClose();
            return peer;
        }));

        var garbage = await HostilePeer.ConnectAsync(relay.Port, GarbageClient);
        var megabyte = new byte[1024 * 1024];
        Random.Shared.NextBytes(megabyte);
        megabyte[0] = 3; // looks like RTMP for its first byte, then is noise
        var sendingGarbage = garbage.SendAsync(megabyte);
        garbage.WatchForClose();

        var named = new List<(string Name, HostilePeer Peer)>();
        async Task<HostilePeer> Handshaken(string name)
        {
            var peer = await HostilePeer.ConnectAsync(relay.Port);
            await peer.HandshakeAsync();
            peer.WatchForClose();
            named.Add((name, peer));
            return peer;
        }

        var storm = await Handshaken("csid storm");
        await storm.SendAsync(Enumerable.Range(64, 256).SelectMany(csid => ChunkStreamStart(csid)).ToArray());

        var hugeChunks = await Handshaken("chunk size 2^31-1, trickled 16 MiB message");
        await hugeChunks.SendAsync(HostilePeer.Message(2, 1, 0, [0x7F, 0xFF, 0xFF, 0xFF]));
        await hugeChunks.SendAsync(HostilePeer.Message(6, 9, 1, [], announcedLength: 0xFFFFFF)[..12]);
        var trickle = Task.Run(async () =>
        {
            for (var i = 0; i < 50 && hugeChunks.Elapsed < ClosedWithin; i++)
            {
                await hugeChunks.SendAsync(new byte[1024]);
                await Task.Delay(100);
            }
        });

        var nested = await Handshaken("AMF nested 20000 deep");
        await nested.SendAsync(HostilePeer.Message(3, 20, 0, [.. Amf0String("connect"), .. Amf0Number(1),
            .. Enumerable.Repeat<byte[]>([0x0A, 0, 0, 0, 1], 20000).SelectMany(b => b), 0x05]));

        var longString = await Handshaken("AMF long string claiming 4 GiB");
        await longString.SendAsync(HostilePeer.Message(3, 20, 0, [.. Amf0String("connect"), .. Amf0Number(1), 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0x41, 0x41]));

        var unknown = await Handshaken("unknown message type 0x42");
        await unknown.SendAsync(HostilePeer.Message(3, 0x42, 0, [1, 2, 3, 4]));

        var results = new List<(string Name, TimeSpan? Closed)>();
        foreach (var (name, peer) in named)
        {
            results.Add((name, await peer.WaitClosedAsync(ClosedWithin)));
        }
        results.Add(("1 MiB of garbage", await garbage.WaitClosedAsync(ClosedWithin)));
        var stalledCloses = await Task.WhenAll(stalled.Select(p => p.WaitClosedAsync(ClosedWithin)));
        await Task.WhenAll(sendingGarbage, trickle);

        foreach (var (name, closed) in results)
        {
            rig.Log($"{name}: closed after {closed?.TotalMilliseconds:0} ms");
        }
        var open = stalledCloses.Count(c => c is null);
        var slowest = stalledCloses.Where(c => c is not null).Max();
        rig.Log($"200 stalled handshakes: {stalledCloses.Count(c => c < TimeSpan.FromSeconds(1))} closed at once (Relay:Limits:MaxConnectionsPerAddress), " +
                $"the last after {slowest?.TotalMilliseconds:0} ms, {open} still open");
        Assert.All(results, r => Assert.True(r.Closed is not null, $"{r.Name}: still open after {ClosedWithin.TotalSeconds} s.\n{relay.Describe()}"));
        Assert.Equal(0, open);
        Assert.True(await relay.LogContainsAsync("Relay:Limits:MaxConnectionsPerAddress"), relay.Describe());
        foreach (var peer in stalled.Concat(named.Select(n => n.Peer)).Append(garbage))
        {
            peer.Dispose();
        }
    }

    [Fact]
    public async Task Relay_SilentTlsClientAndSlowlorisRtmpt_ClosedByTheirDeadlines()
    {
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmps: true, rtmpt: true));

        using var silentTls = await HostilePeer.ConnectAsync(relay.Endpoints.Rtmps!.Value);
        using var slowloris = await HostilePeer.ConnectAsync(relay.Endpoints.Rtmpt!.Value);
        var request = Encoding.ASCII.GetBytes("POST /open/1 HTTP/1.1\r\nHost: relay\r\nContent-Type: application/x-fcs\r\nContent-Length: 1\r\n\r\n\0");
        var trickling = Task.Run(async () =>
        {
            for (var i = 0; i < request.Length && slowloris.Elapsed < TimeSpan.FromSeconds(15); i++)
            {
                await slowloris.SendAsync(request.AsMemory(i, 1));
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        });

        var tlsClosed = await silentTls.WaitClosedAsync(TimeSpan.FromSeconds(8));
        var slowlorisClosed = await slowloris.WaitClosedAsync(TimeSpan.FromSeconds(15));
        await trickling;

        rig.Log($"silent TLS client closed after {tlsClosed?.TotalMilliseconds:0} ms; slowloris RTMPT request after {slowlorisClosed?.TotalMilliseconds:0} ms");
        Assert.True(tlsClosed is not null, $"The silent TLS client was still connected after 8 s.\n{relay.Describe()}");
        Assert.True(slowlorisClosed is not null, $"The slowloris request was still open after 15 s.\n{relay.Describe()}");
    }

    [Fact]
    public async Task Relay_FrozenPlayer_DroppedWhileTheDestinationGetsEveryPacketOfA40SecondPublish()
    {
        await using var rig = InteropRig.Create(output);
        // At a real encoder's rate the frozen player's socket buffers (a few MiB on loopback) fill within seconds;
        // the relay's write stall deadline counts from then.
        var media = await TestMedia.GetAsync(TimeSpan.FromSeconds(40), encoderBitrate: true);
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync([("a", RelayProcess.DestinationUrl(nginx, "a"))], RelayPublishTests.RelayLogging);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("frozen"));
        Assert.True(await relay.LogContainsAsync("[live/frozen -> a] Publishing"), $"The destination did not go live.\n{relay.Describe()}");
        var player = rig.StartRtmpdump(relay.Url("frozen"));
        Assert.True(await relay.LogContainsAsync("Playing live/frozen"), $"The player did not start.\n{relay.Describe()}");
        Assert.True(UnixSignals.Send(player.ProcessId, UnixSignals.SigStop), "could not freeze rtmpdump");
        rig.Log("rtmpdump frozen (SIGSTOP)");

        Assert.Equal(0, await publisher.WaitForExitAsync(media.Duration + TimeSpan.FromSeconds(30)));
        UnixSignals.Send(player.ProcessId, UnixSignals.SigCont);

        Assert.True(await relay.LogContainsAsync("write stalled: the peer accepted no bytes for 10 s"),
            $"The frozen player was not dropped.\n{relay.Describe()}");
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("frozen", "a"), media.Listing);
    }

    /// <summary>The first chunk of a 1000-byte audio message on <paramref name="csid"/> (a new chunk stream each time).</summary>
    private static byte[] ChunkStreamStart(int csid)
    {
        var message = HostilePeer.Message(1, 8, 1, new byte[128], announcedLength: 1000);
        return [(byte)0, (byte)(csid - 64), .. message.AsSpan(1, 11), .. message.AsSpan(12, 128)]; // 2-byte basic header: csid 64-319
    }

    private static byte[] Amf0String(string value) => [0x02, (byte)(value.Length >> 8), (byte)value.Length, .. Encoding.ASCII.GetBytes(value)];

    private static byte[] Amf0Number(double value)
    {
        var bytes = BitConverter.GetBytes(value);
        Array.Reverse(bytes);
        return [0x00, .. bytes];
    }
}
