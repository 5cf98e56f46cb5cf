using System.IO.Pipelines;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Hardening;

/// <summary>Every wait a peer controls has a deadline (Relay:Limits), on a fake clock: not a moment early, and not missed.</summary>
public class DeadlineTests
{
    private const int HandshakeDone = 101;

    private static async Task AssertOpenAsync(RelayHarness relay, string id)
    {
        await Task.Delay(20); // let a timer that fired reach the read loop
        Assert.False(relay.Connection(id).HandlerTask.IsCompleted, $"{id} was closed early");
    }

    private static async Task AssertClosedAsync(RelayHarness relay, string id, string reason)
    {
        var close = await relay.Log.WaitForCloseAsync(id);
        Assert.Equal(TestLogger.ProtocolError, close.EventId.Id);
        Assert.Contains(reason, close.Message, StringComparison.Ordinal);
        await relay.AssertHandlerCompletedAsync(id);
    }

    [Fact]
    public async Task SessionStart_ConnectedButNeverPublishesOrPlays_ClosedAtTheTimeout()
    {
        await using var relay = new RelayHarness();
        var idle = await relay.ConnectAsync("idle");
        await idle.PingAsync();

        relay.Time.Advance(TimeSpan.FromSeconds(9.9));
        await idle.PingAsync(); // pings are not a start
        await AssertOpenAsync(relay, "idle");
        relay.Time.Advance(TimeSpan.FromSeconds(0.1));

        await AssertClosedAsync(relay, "idle", "no publish or play within 10 s");
    }

    [Fact]
    public async Task SessionStart_HandshakeOnlyNoConnect_ClosedAtTheTimeout()
    {
        await using var relay = new RelayHarness();
        await relay.HandshakeAsync("quiet");
        await relay.Log.WaitForAsync(e => e.ConnectionId == "quiet" && e.EventId.Id == HandshakeDone, "the relay's end of the handshake");

        relay.Time.Advance(TimeSpan.FromSeconds(9.9));
        await AssertOpenAsync(relay, "quiet");
        relay.Time.Advance(TimeSpan.FromSeconds(0.1));

        await AssertClosedAsync(relay, "quiet", "no publish or play within 10 s");
    }

    [Fact]
    public async Task PublisherIdle_PublishesThenSendsOnlyPings_ClosedAtTheTimeout()
    {
        await using var relay = new RelayHarness(PublishPlayTests.NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        var stream = await publisher.PublishOrFailAsync("cam1");
        await publisher.SendVideoAsync(stream, 0, FlvSamples.KeyFrame(1));
        await publisher.PingAsync();

        relay.Time.Advance(TimeSpan.FromSeconds(14));
        await publisher.PingAsync();
        await AssertOpenAsync(relay, "pub");
        relay.Time.Advance(TimeSpan.FromSeconds(1));

        await AssertClosedAsync(relay, "pub", "publisher sent no audio or video for 15 s");
    }

    [Fact]
    public async Task PublisherIdle_MediaEveryTenSeconds_StaysPastEveryDeadline()
    {
        await using var relay = new RelayHarness(PublishPlayTests.NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        var stream = await publisher.PublishOrFailAsync("cam1");

        for (var i = 0; i < 6; i++)
        {
            await publisher.SendAudioAsync(stream, (uint)(i * 10_000), [0xAF, 0x01, (byte)i]);
            await publisher.PingAsync();
            relay.Time.Advance(TimeSpan.FromSeconds(10));
        }

        await AssertOpenAsync(relay, "pub");
    }

    [Fact]
    public async Task PublisherIdle_StopsPublishingButStaysConnected_ClosedAtTheStartTimeout()
    {
        await using var relay = new RelayHarness(PublishPlayTests.NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        var stream = await publisher.PublishOrFailAsync("cam1");
        await publisher.UnpublishAsync("cam1", stream);
        await publisher.PingAsync();

        relay.Time.Advance(TimeSpan.FromSeconds(10));

        await AssertClosedAsync(relay, "pub", "no publish or play within 10 s");
    }

    [Fact]
    public async Task Player_SilentForMinutes_StaysConnected()
    {
        await using var relay = new RelayHarness(PublishPlayTests.NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        var stream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        await player.PlayAttachedAsync("cam1");

        for (var i = 0; i < 12; i++)
        {
            await publisher.SendAudioAsync(stream, (uint)(i * 10_000), [0xAF, 0x01, (byte)i]);
            await publisher.PingAsync();
            relay.Time.Advance(TimeSpan.FromSeconds(10));
        }

        await AssertOpenAsync(relay, "player");
    }

    [Fact]
    public async Task Player_StopsReading_DroppedAfterTheWriteStallTimeoutWhileTheOtherPlayerGetsEveryFrame()
    {
        await using var relay = new RelayHarness(PublishPlayTests.NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        var stream = await publisher.PublishOrFailAsync("cam1");
        var fast = await relay.ConnectAsync("fast");
        var fastStream = await fast.PlayAttachedAsync("cam1");
        var small = new PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 2048, minimumSegmentSize: 512, useSynchronizationContext: false);
        var frozen = await relay.ConnectAsync("frozen", serverToClient: small);
        await frozen.PlayAttachedAsync("cam1");
        await frozen.StopReceivingAsync();

        for (var n = 0; n < 20; n++)
        {
            var payload = n % 10 == 0 ? FlvSamples.KeyFrame((byte)n, 2048) : FlvSamples.InterFrame((byte)n, 2048);
            await publisher.SendVideoAsync(stream, (uint)(n * 500), payload);
            var video = await fast.NextAsync(m => m.Type == RtmpMessageType.Video && m.Payload.Length > 100, $"frame {n}");
            PublishPlayTests.AssertMedia(video, RtmpMessageType.Video, (uint)(n * 500), fastStream, payload);
            relay.Time.Advance(TimeSpan.FromSeconds(0.5)); // 10 s of stream time in all
        }
        Assert.False(relay.Connection("frozen").HandlerTask.IsCompleted); // its writes started waiting after the first frames
        relay.Time.Advance(TimeSpan.FromSeconds(2));

        var close = await relay.Log.WaitForCloseAsync("frozen");
        Assert.Contains("write stalled: the peer accepted no bytes for 10 s", close.Message, StringComparison.Ordinal);
        await relay.AssertHandlerCompletedAsync("frozen");
        await AssertOpenAsync(relay, "fast");
        await AssertOpenAsync(relay, "pub");
    }
}
