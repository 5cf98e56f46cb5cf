using RtmpRelay.Destinations;
using RtmpRelay.Options;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Destinations;

/// <summary>
/// The relay's destinations against a second in-memory relay standing in for the platform, time on a fake clock:
/// backoff, rejection, failover, pause, live reconfiguration, bridging an encoder's reconnect, take-over.
/// </summary>
public sealed class DestinationLifecycleTests
{
    private const string PlatformUrl = "rtmp://platform/live/{stream}_a";

    private static RelayHarness Relay(InMemoryDialer dialer, Action<RelayOptions> configure, int seed = 1)
    {
        var relay = new RelayHarness(configure, dialer, new Random(seed));
        dialer.Time = relay.Time;
        return relay;
    }

    private static void Destination(RelayOptions options, string name, string url, string? backup = null) =>
        options.Applications["live"].Destinations[name] = new DestinationOptions { Url = url, BackupUrl = backup };

    private static async Task<(TestRtmpClient Client, uint StreamId)> PublishAsync(RelayHarness relay, string id, string name = "cam1")
    {
        var client = await relay.ConnectAsync(id);
        var streamId = await client.PublishOrFailAsync(name);
        await client.SendDataAsync(streamId, 0, "@setDataFrame", "onMetaData", FlvSamples.MetaData());
        await client.SendVideoAsync(streamId, 0, FlvSamples.AvcSequenceHeader);
        await client.SendAudioAsync(streamId, 0, FlvSamples.AacSequenceHeader);
        await client.PingAsync();
        return (client, streamId);
    }

    private static Task<ReceivedMessage> NextVideoAsync(TestRtmpClient player, byte[] frame) =>
        player.NextAsync(m => m.Type == RtmpMessageType.Video && m.Payload.AsSpan().SequenceEqual(frame), $"video frame {frame[5]:x2}");

    private static async Task WaitForStateAsync(DestinationSupervisor destination, DestinationState state) =>
        await Eventually.TrueAsync(() => destination.State == state, $"{destination.Spec.Name} {state.ToName()} (is {destination.State.ToName()})");

    [Fact]
    public async Task Destination_Refuses_AttemptsSpacedByExponentialBackoffWithFullJitter()
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, o => Destination(o, "down", "rtmp://down/live/{stream}"), seed: 42);
        await PublishAsync(relay, "pub");
        var destination = await relay.DestinationAsync("cam1", "down");
        var retry = relay.Options.Destinations.Retry;
        var expected = new Random(42);

        for (var failures = 1; failures <= 6; failures++)
        {
            await Eventually.TrueAsync(() => dialer.AttemptsTo("down") == failures, $"attempt {failures}");
            await WaitForStateAsync(destination, DestinationState.Retrying);
            var delay = RetryBackoff.Delay(retry, DestinationFailureKind.Refused, failures, expected);
            Assert.InRange(delay, TimeSpan.Zero, RetryBackoff.Cap(retry, failures));
            var logged = relay.Log.Entries.Where(e => e.EventId.Id == 402).ToList();
            Assert.Equal(failures, logged.Count);
            Assert.Equal((long)delay.TotalMilliseconds, logged[^1]["RetryMs"]);
            Assert.Contains("refused", logged[^1].Message, StringComparison.Ordinal);

            relay.Time.Advance(delay - TimeSpan.FromMilliseconds(1));
            await Task.Delay(50);
            Assert.Equal(failures, dialer.AttemptsTo("down"));
            relay.Time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal([1, 2, 4, 8, 16, 30], Enumerable.Range(1, 6).Select(n => (int)RetryBackoff.Cap(retry, n).TotalSeconds));
        Assert.Equal(DestinationFailureKind.Refused, destination.LastFailure!.Kind);
    }

    [Fact]
    public async Task Destination_RejectsPublish_WaitsMaxDelayAndLogsPlatformWordsAsError()
    {
        await using var platform = new RelayHarness(o => o.Applications["live"].AllowPublish = false);
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o => Destination(o, "a", PlatformUrl));
        await PublishAsync(relay, "pub");
        var destination = await relay.DestinationAsync("cam1", "a");

        await WaitForStateAsync(destination, DestinationState.Retrying);

        var rejected = Assert.Single(relay.Log.Entries, e => e.EventId.Id == 407);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, rejected.Level);
        Assert.Equal("NetStream.Publish.Denied", rejected["Code"]);
        Assert.Contains("not allowed", (string)rejected["Description"]!, StringComparison.Ordinal);
        Assert.Equal(30_000L, rejected["RetryMs"]);
        Assert.Equal(DestinationFailureKind.Rejected, destination.LastFailure!.Kind);
        relay.Time.Advance(TimeSpan.FromSeconds(29.9));
        await Task.Delay(50);
        Assert.Equal(1, dialer.AttemptsTo("platform"));
        relay.Time.Advance(TimeSpan.FromSeconds(0.1));
        await Eventually.TrueAsync(() => dialer.AttemptsTo("platform") == 2, "the attempt after MaxDelay");
    }

    [Fact]
    public async Task Destination_PrimaryFailsFailoverAfterTimes_BackupUsedAndGoesLive()
    {
        await using var platform = new RelayHarness();
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o => Destination(o, "a", "rtmp://primary/live/{stream}_a", backup: PlatformUrl));
        await PublishAsync(relay, "pub");
        var destination = await relay.DestinationAsync("cam1", "a");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await Eventually.TrueAsync(() => dialer.AttemptsTo("primary") == attempt, $"primary attempt {attempt}");
            await WaitForStateAsync(destination, DestinationState.Retrying);
            relay.Time.Advance(RetryBackoff.Cap(relay.Options.Destinations.Retry, attempt)); // (the silent publisher may idle 30 s)
        }

        await WaitForStateAsync(destination, DestinationState.Live);
        Assert.Equal(3, dialer.AttemptsTo("primary"));
        Assert.Equal(1, dialer.AttemptsTo("platform"));
        Assert.True(destination.OnBackup);
        Assert.Equal(3, destination.Reconnects);
        Assert.Single(relay.Log.Entries, e => e.EventId.Id == 408);
    }

    [Fact]
    public async Task Destination_PausedThenResumed_UnpublishesCleanlyThenPublishesAgainFromAKeyframe()
    {
        await using var platform = new RelayHarness(PublishPlayTests.NoBridging); // a new publish there, not a continued one
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o => Destination(o, "a", PlatformUrl));
        var (publisher, streamId) = await PublishAsync(relay, "pub");
        var destination = await relay.DestinationAsync("cam1", "a");
        await WaitForStateAsync(destination, DestinationState.Live);

        destination.Pause();

        await WaitForStateAsync(destination, DestinationState.Paused);
        await platform.Log.WaitForAsync(e => e.EventId.Id == 204 && e.ConnectionId == "platform-1", "the platform saw the unpublish");
        await publisher.SendVideoAsync(streamId, 40, FlvSamples.KeyFrame(1));

        destination.Resume();

        await WaitForStateAsync(destination, DestinationState.Live);
        var player = await platform.ConnectAsync("watch");
        await player.PlayAttachedAsync("cam1_a");
        await publisher.SendVideoAsync(streamId, 80, FlvSamples.InterFrame(2));
        await publisher.SendVideoAsync(streamId, 120, FlvSamples.KeyFrame(3));
        var frame = await NextVideoAsync(player, FlvSamples.KeyFrame(3));
        Assert.Equal(120u, frame.Timestamp);
        Assert.Equal(2, dialer.AttemptsTo("platform"));
    }

    [Fact]
    public async Task Reload_DestinationAddedChangedRemoved_OnlyThatDestinationIsTouched()
    {
        await using var platform = new RelayHarness();
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o => Destination(o, "a", PlatformUrl));
        var (publisher, streamId) = await PublishAsync(relay, "pub");
        var a = await relay.DestinationAsync("cam1", "a");
        await WaitForStateAsync(a, DestinationState.Live);

        relay.Reconfigure(o => Destination(o, "b", "rtmp://platform/live/{stream}_b"));
        var b = await relay.DestinationAsync("cam1", "b");
        await WaitForStateAsync(b, DestinationState.Live);
        var watchB = await platform.ConnectAsync("watch-b");
        await watchB.PlayAttachedAsync("cam1_b");
        await publisher.SendVideoAsync(streamId, 40, FlvSamples.KeyFrame(1));
        await NextVideoAsync(watchB, FlvSamples.KeyFrame(1));

        relay.Reconfigure(o => o.Applications["live"].Destinations["b"].Url = "rtmp://platform/live/{stream}_c");
        var c = await Eventually.ValueAsync(() => relay.Destinations!.DestinationsOf(relay.Registry.Streams.Single()).FirstOrDefault(d => d.Spec.Url.EndsWith("_c")), "b restarted on its new URL");
        await WaitForStateAsync(c, DestinationState.Live);
        Assert.Equal(DestinationState.Stopped, b.State);

        relay.Reconfigure(o => o.Applications["live"].Destinations.Remove("b"));
        await WaitForStateAsync(c, DestinationState.Stopped);
        await platform.Log.WaitForAsync(e => e.EventId.Id == 204 && e.ConnectionId == "platform-3", "the platform saw b's unpublish");

        Assert.Same(a, (await relay.DestinationAsync("cam1", "a")));
        Assert.Equal(DestinationState.Live, a.State);
        Assert.Equal(0, a.Reconnects);
        Assert.Equal(3, dialer.AttemptsTo("platform")); // a once, b once, b's new URL once
    }

    [Fact]
    public async Task Reload_InvalidChange_LoggedOnceAndRunningConfigurationStays()
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, o => Destination(o, "a", PlatformUrl));
        var before = relay.Configuration.Current;

        relay.Reconfigure(o => o.Applications["live"].Destinations["a"].Url = "http://not-rtmp/x/y");

        var error = Assert.Single(relay.Log.Entries, e => e.EventId.Id == 701);
        Assert.Contains("Relay:Applications:live:Destinations:a:Url", error.Message, StringComparison.Ordinal);
        Assert.Same(before, relay.Configuration.Current);
    }

    [Fact]
    public async Task Bridging_PublisherReconnectsWithinGrace_DestinationContinuesWithRebasedTimestamps()
    {
        await using var platform = new RelayHarness();
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o => Destination(o, "a", PlatformUrl));
        var (first, firstStream) = await PublishAsync(relay, "pub1");
        var destination = await relay.DestinationAsync("cam1", "a");
        await WaitForStateAsync(destination, DestinationState.Live);
        var player = await platform.ConnectAsync("watch");
        await player.PlayAttachedAsync("cam1_a");
        await first.SendVideoAsync(firstStream, 0, FlvSamples.KeyFrame(1));
        await first.SendVideoAsync(firstStream, 1000, FlvSamples.InterFrame(2));
        await NextVideoAsync(player, FlvSamples.InterFrame(2));

        await first.CloseAsync();
        await Eventually.TrueAsync(() => relay.Registry.Streams.Single().IsBridging, "the stream waiting for its publisher");
        relay.Time.Advance(TimeSpan.FromSeconds(1));
        var (second, secondStream) = await PublishAsync(relay, "pub2");
        await second.SendVideoAsync(secondStream, 0, FlvSamples.InterFrame(3)); // not a keyframe: held back
        await second.SendVideoAsync(secondStream, 0, FlvSamples.KeyFrame(4));
        await second.SendVideoAsync(secondStream, 40, FlvSamples.InterFrame(5));

        Assert.Equal(2000u, (await NextVideoAsync(player, FlvSamples.KeyFrame(4))).Timestamp); // 1000 + 1 s away
        Assert.Equal(2040u, (await NextVideoAsync(player, FlvSamples.InterFrame(5))).Timestamp);
        var video = player.All.Where(m => m.Type == RtmpMessageType.Video).ToList();
        Assert.Single(video, m => m.Payload.SequenceEqual(FlvSamples.AvcSequenceHeader)); // the unchanged header is not sent again
        Assert.DoesNotContain(video, m => m.Payload.AsSpan().SequenceEqual(FlvSamples.InterFrame(3)));
        Assert.Equal(1, dialer.AttemptsTo("platform"));
        Assert.Equal(DestinationState.Live, destination.State);
    }

    [Fact]
    public async Task Bridging_GraceRunsOut_DestinationUnpublishes()
    {
        await using var platform = new RelayHarness();
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o => Destination(o, "a", PlatformUrl));
        var (publisher, _) = await PublishAsync(relay, "pub");
        var destination = await relay.DestinationAsync("cam1", "a");
        await WaitForStateAsync(destination, DestinationState.Live);

        await publisher.CloseAsync();
        await Eventually.TrueAsync(() => relay.Registry.Streams.Single().IsBridging, "the stream waiting for its publisher");
        relay.Time.Advance(TimeSpan.FromSeconds(9.9));
        await Task.Delay(50);
        Assert.Equal(DestinationState.Live, destination.State);
        relay.Time.Advance(TimeSpan.FromSeconds(0.1));

        await WaitForStateAsync(destination, DestinationState.Stopped);
        await platform.Log.WaitForAsync(e => e.EventId.Id == 204 && e.ConnectionId == "platform-1", "the platform saw the unpublish");
        Assert.Empty(relay.Registry.Streams);
    }

    [Fact]
    public async Task TakeOver_Enabled_SecondPublisherReplacesFirstAndDestinationContinues()
    {
        await using var platform = new RelayHarness();
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, o =>
        {
            Destination(o, "a", PlatformUrl);
            o.Applications["live"].TakeOver = true;
        });
        var (first, _) = await PublishAsync(relay, "pub1");
        var destination = await relay.DestinationAsync("cam1", "a");
        await WaitForStateAsync(destination, DestinationState.Live);

        await PublishAsync(relay, "pub2");

        await first.WaitClosedAsync();
        Assert.Single(relay.Log.Entries, e => e.EventId.Id == 212 && e.ConnectionId == "pub2");
        Assert.Equal(DestinationState.Live, destination.State);
        Assert.Equal(1, dialer.AttemptsTo("platform"));
    }
}
