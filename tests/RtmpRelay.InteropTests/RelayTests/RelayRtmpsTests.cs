using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// RTMPS both ways: encoders publish over TLS to the relay's RTMPS endpoint (its self-signed development certificate),
/// and the relay pushes over TLS to a real RTMPS front (nginx's stream module terminating TLS before nginx-rtmp),
/// pinned by the certificate's SHA-256 fingerprint. Non-TLS clients on the TLS port are dropped with a logged reason.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRtmpsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Relay_FfmpegPublishesOverRtmps_BothDestinationRecordingsPassOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmps: true));

        // ffmpeg does not verify certificates, so the relay's self-signed development certificate is fine.
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("rtmps", "ffs"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("ffs", "a"), media.Listing);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("ffs", "b"), media.Listing);
    }

    [Fact]
    public async Task Relay_GstRtmp2SinkPublishesOverRtmps_BothDestinationRecordingsPassOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("b", RelayProcess.DestinationUrl(nginx, "b"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmps: true));

        // rtmp2sink validates certificates by default (validate-all); the development certificate is self-signed.
        var publisher = await rig.StartGstPublisherAsync(GstSink.Rtmp2Sink, media.Path, relay.Url("rtmps", "gsts"), ["tls-validation-flags=0"]);

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        var sent = await FrameMd5.ListAsync(publisher.SentPath);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("gsts", "a"), sent);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("gsts", "b"), sent);
    }

    [Fact]
    public async Task Relay_PlainRtmpIngestToPinnedRtmpsDestination_RecordingPassesOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var certificate = await OpenSslTool.MakeSelfSignedAsync(rig.WorkDirectory, "platform");
        var fingerprint = await OpenSslTool.Sha256FingerprintAsync(certificate.CertificatePath);
        rig.Log($"platform certificate SHA-256 fingerprint {fingerprint}");
        var platform = await rig.StartNginxAsync("nginx-rtmps", certificate);
        var relay = await rig.StartRelayAsync(
            [("s", platform.RtmpsUrl("{stream}_s"))],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Applications:live:Destinations:s:CertificateFingerprint={fingerprint}"]);

        // The legacy encoder: plain rtmp:// on the local network; the relay carries the stream out over RTMPS.
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("legacy"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(platform, RelayProcess.DestinationStream("legacy", "s"), media.Listing);
        Assert.Contains($"connected to 127.0.0.1:{platform.TlsPort}", ReadAll(platform.ErrorLogPath));
    }

    [Fact]
    public async Task Relay_RtmpsDestinationPinnedToWrongFingerprint_FailsWithReasonWhileOtherRecordingPasses()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var certificate = await OpenSslTool.MakeSelfSignedAsync(rig.WorkDirectory, "platform");
        var other = await OpenSslTool.MakeSelfSignedAsync(rig.WorkDirectory, "other");
        var wrongFingerprint = (await OpenSslTool.Sha256FingerprintAsync(other.CertificatePath)).Replace(":", "");
        var platform = await rig.StartNginxAsync("nginx-rtmps", certificate);
        var relay = await rig.StartRelayAsync(
            [("pinned", platform.RtmpsUrl("{stream}_pinned")), ("plain", RelayProcess.DestinationUrl(platform, "plain"))],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Applications:live:Destinations:pinned:CertificateFingerprint={wrongFingerprint}"]);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("pin"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        Assert.False(relay.HasExited, "The relay exited.");
        await rig.AssertRecordingMatchesAsync(platform, RelayProcess.DestinationStream("pin", "plain"), media.Listing);
        Assert.True(await relay.LogContainsAsync($"does not match the pinned {wrongFingerprint}"),
            $"The relay did not log the fingerprint mismatch.\n{relay.Describe()}");
        Assert.False(File.Exists(platform.RecordingPath(RelayProcess.DestinationStream("pin", "pinned"))),
            "The destination pinned to the wrong fingerprint got a recording.");
    }

    [Fact]
    public async Task Relay_PlainRtmpAndGarbageOnRtmpsPort_DroppedWithReasonWhileRtmpsPublisherPasses()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            RelayPublishTests.RelayLogging,
            RelayEndpoints.Allocate(rtmps: true));
        var rtmpsPort = relay.Endpoints.Rtmps!.Value;

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("rtmps", "secure"));
        Assert.True(await relay.LogContainsAsync("Publishing live/secure"), $"The RTMPS publisher never started publishing.\n{relay.Describe()}");

        // An encoder misconfigured with rtmp:// on the RTMPS port, and a client sending garbage.
        var plain = rig.StartFfmpegPublisher(media.Path, $"rtmp://127.0.0.1:{rtmpsPort}/live/plain", "ffmpeg-plain");
        var garbage = await SendGarbageAsync(rtmpsPort, [0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03]);
        rig.Log($"garbage client: {garbage}");

        Assert.True(await plain.TryWaitForExitAsync(TimeSpan.FromSeconds(15)), $"ffmpeg with rtmp:// on the RTMPS port was not dropped.\n{plain.Describe()}");
        Assert.NotEqual(0, plain.ExitCode);
        Assert.StartsWith("closed by the relay", garbage);
        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("secure", "a"), media.Listing);
        Assert.True(await relay.LogContainsAsync("Dropped on the TLS endpoint: plain RTMP (C0 = 0x03) sent to the RTMPS endpoint"),
            $"The relay did not log why it dropped the plain RTMP client.\n{relay.Describe()}");
        Assert.True(await relay.LogContainsAsync("Dropped on the TLS endpoint: not TLS: first byte 0xde"),
            $"The relay did not log why it dropped the garbage client.\n{relay.Describe()}");
        Assert.False(File.Exists(nginx.RecordingPath(RelayProcess.DestinationStream("plain", "a"))), "The plain RTMP client's stream reached the destination.");
    }

    /// <summary>
    /// Every connection that ends logs why: clients that connect to the RTMPS port and close at once, without a byte,
    /// must be logged as closed, not as a TLS ClientHello timeout (no connection of this test lives for 10 s). Five such
    /// clients (plus the rig's own start-up probe, which does the same), since the wrong reason is a race.
    /// </summary>
    [Fact]
    public async Task Relay_ClientsCloseSilentlyOnRtmpsPort_DroppedAsClosedNotAsTimeout()
    {
        const int clients = 5;
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmps: true));
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < clients; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, relay.Endpoints.Rtmps!.Value));
        }

        List<string> Dropped() => relay.Log.Split('\n').Where(l => l.Contains("Dropped on the TLS endpoint", StringComparison.Ordinal)).ToList();
        while (Dropped().Count < clients && clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(100);
        }

        var dropped = Dropped();
        rig.Log($"{clock.Elapsed.TotalSeconds:0.0} s after the start, the relay logged:\n{string.Join('\n', dropped)}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), "The test ran too long to tell a timeout from a close.");
        Assert.True(dropped.Count >= clients, $"The relay logged {dropped.Count} drops for {clients} clients.\n{relay.Describe()}");
        Assert.DoesNotContain(dropped, l => l.Contains("no TLS ClientHello within", StringComparison.Ordinal));
    }

    /// <summary>Sends <paramref name="bytes"/> to the port and waits (bounded, 5 s) for the server to close the connection.</summary>
    private static async Task<string> SendGarbageAsync(int port, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(bytes);
        var clock = Stopwatch.StartNew();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var received = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return $"closed by the relay after {clock.Elapsed.TotalSeconds:0.00} s ({received} bytes received)";
                }

                received += n;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            return $"closed by the relay (reset) after {clock.Elapsed.TotalSeconds:0.00} s";
        }
        catch (OperationCanceledException)
        {
            return "still open after 5 s";
        }
    }

    private static string ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
