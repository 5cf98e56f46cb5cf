using System.Net;
using RtmpRelay.Options;
using RtmpRelay.Tests.Destinations;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Authorization;

/// <summary>The relay's publish and play rules, over in-memory connections, with a platform standing in for the destination.</summary>
public class PublishAuthorizationTests
{
    private const string Secret = "sk_9f8e7d6c5b4a";

    private static RelayHarness Relay(InMemoryDialer dialer, Action<ApplicationOptions> configure, HttpMessageHandler? callbacks = null)
    {
        var relay = new RelayHarness(o =>
        {
            var live = o.Applications["live"];
            live.Destinations["a"] = new DestinationOptions { Url = "rtmp://platform/live/{stream}_a" };
            configure(live);
        }, dialer, callbacks: callbacks);
        dialer.Time = relay.Time;
        return relay;
    }

    private static void AssertNoSecretLogged(RelayHarness relay, string secret)
    {
        foreach (var entry in relay.Log.Entries)
        {
            Assert.DoesNotContain(secret, entry.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(entry.Values.Values, v => v?.ToString()?.Contains(secret, StringComparison.Ordinal) == true);
        }
    }

    [Theory]
    [InlineData("show1")]
    [InlineData("show1?key=guess")]
    [InlineData("show1?user=x")]
    public async Task Publish_WithoutTheRightKey_BadNameClosedAndNoDestinationContacted(string name)
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, live => live.Publish.Keys["obs"] = Secret);
        var publisher = await relay.ConnectAsync("pub");

        var (_, status) = await publisher.PublishAsync(name);

        Assert.Equal("NetStream.Publish.BadName", status.Code);
        Assert.Equal("Publish refused: not authorized.", status.Info!.GetString("description"));
        await publisher.WaitClosedAsync();
        Assert.Empty(relay.Registry.Streams);
        Assert.Empty(dialer.Attempts);
        Assert.Contains(relay.Log.Entries, e => e.EventId.Id == 203 && ((string)e["Reason"]!).StartsWith("not authorized", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_RightKeyInStreamName_PublishedUnderTheBareNameAndKeyNeverLogged()
    {
        await using var platform = new RelayHarness();
        var dialer = new InMemoryDialer();
        dialer.Route("platform", platform);
        await using var relay = Relay(dialer, live => live.Publish.Keys["obs"] = Secret);
        var publisher = await relay.ConnectAsync("pub");

        await publisher.PublishOrFailAsync($"show1?key={Secret}");

        Assert.True(relay.Registry.TryGet(new("live", "show1"), out _));
        Assert.Contains(relay.Log.Entries, e => e.EventId.Id == 202 && (string)e["Identity"]! == "obs");
        await Eventually.TrueAsync(() => platform.Registry.TryGet(new("live", "show1_a"), out _), "the destination publishing show1_a");
        AssertNoSecretLogged(relay, Secret);
    }

    [Fact]
    public async Task Publish_RightKeyInTheAppsQuery_Published()
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, live => live.Publish.Keys["obs"] = Secret);
        var publisher = await relay.HandshakeAsync("pub");
        await publisher.ConnectOrFailAsync($"live?key={Secret}");

        await publisher.PublishOrFailAsync("show1");

        Assert.True(relay.Registry.TryGet(new("live", "show1"), out _));
        AssertNoSecretLogged(relay, Secret);
    }

    [Fact]
    public async Task Publish_CallbackAllowsDeniesRenames_AsItAnswers()
    {
        var service = new CallbackHandler((_, body) => Task.FromResult(
            body.Contains("\"stream\":\"deny\"", StringComparison.Ordinal) ? new HttpResponseMessage(HttpStatusCode.Forbidden)
            : body.Contains("\"stream\":\"rename\"", StringComparison.Ordinal) ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"name\":\"renamed\"}") }
            : new HttpResponseMessage(HttpStatusCode.NoContent)));
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, live => live.Publish.Callback.Url = "http://hooks.internal/on_publish", service);

        await (await relay.ConnectAsync("allow")).PublishOrFailAsync("allow");
        var (_, denied) = await (await relay.ConnectAsync("deny")).PublishAsync("deny");
        await (await relay.ConnectAsync("rename")).PublishOrFailAsync("rename");

        Assert.Equal("NetStream.Publish.BadName", denied.Code);
        Assert.True(relay.Registry.TryGet(new("live", "allow"), out _));
        Assert.False(relay.Registry.TryGet(new("live", "deny"), out _));
        Assert.True(relay.Registry.TryGet(new("live", "renamed"), out _));
        Assert.Equal(3, service.Bodies.Count);
    }

    [Fact]
    public async Task Publish_RepeatedFailures_AddressBannedThenAllowedAfterTheBan()
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, live => live.Publish.Keys["obs"] = Secret);
        relay.Options.Limits.MaxAuthFailures = 3;
        var address = IPAddress.Parse("198.51.100.7");

        for (var i = 0; i < 3; i++)
        {
            relay.Failures.RecordFailure(address);
        }

        Assert.True(relay.Failures.IsBanned(address));
        Assert.Single(relay.Log.Entries, e => e.EventId.Id == 800);
        Assert.False(relay.Failures.IsBanned(IPAddress.Parse("198.51.100.8")));
        relay.Time.Advance(relay.Options.Limits.AuthBanTime);
        Assert.False(relay.Failures.IsBanned(address));
    }

    [Fact]
    public async Task Play_PlayKeys_WithoutKeyRefusedWithKeyPlays()
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, live => live.Play.Keys["viewer"] = Secret);
        await (await relay.ConnectAsync("pub")).PublishOrFailAsync("show1");

        var stranger = await relay.ConnectAsync("stranger");
        await stranger.PlayAsync("show1");
        var refused = await stranger.NextAsync(m => m.Name == "onStatus" && m.Code?.StartsWith("NetStream.Play.") == true, "play status");
        var viewer = await relay.ConnectAsync("viewer");
        await viewer.PlayAttachedAsync($"show1?key={Secret}");

        Assert.Equal("NetStream.Play.Failed", refused.Code);
        await stranger.WaitClosedAsync();
        Assert.Contains(relay.Log.Entries, e => e.EventId.Id == 205 && (string)e["Identity"]! == "viewer");
        AssertNoSecretLogged(relay, Secret);
    }

    [Fact]
    public async Task Connect_AddressInNeitherRange_ConnectRejected()
    {
        var dialer = new InMemoryDialer();
        await using var relay = Relay(dialer, live =>
        {
            live.Publish.AllowFrom = ["192.0.2.0/24"];
            live.Play.AllowFrom = ["192.0.2.0/24"];
        });
        var client = await relay.HandshakeAsync("outsider"); // in memory: no address at all

        var response = await client.ConnectAsync();

        Assert.Equal("NetConnection.Connect.Rejected", response.Code);
        await client.WaitClosedAsync();
    }
}
