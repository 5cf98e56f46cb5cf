using RtmpRelay.Options;

namespace RtmpRelay.Tests.Functional;

public class ApplicationPolicyTests
{
    [Fact]
    public async Task Publish_AppNotAllowingPublish_Denied()
    {
        await using var relay = new RelayHarness(o => o.Applications["watch"] = new ApplicationOptions { AllowPublish = false });
        var client = await relay.ConnectAsync("c1", app: "watch");

        var (_, status) = await client.PublishAsync("cam1");

        Assert.Equal("NetStream.Publish.Denied", status.Code);
        Assert.Empty(relay.Registry.Streams);
        await client.PingAsync();
    }

    [Fact]
    public async Task Play_AppNotAllowingPlay_Failed()
    {
        await using var relay = new RelayHarness(o => o.Applications["ingest"] = new ApplicationOptions { AllowPlay = false });
        var publisher = await relay.ConnectAsync("pub", app: "ingest");
        await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player", app: "ingest");

        await player.PlayAsync("cam1");
        var status = await player.NextAsync(m => m.Name == "onStatus", "onStatus");

        Assert.Equal("NetStream.Play.Failed", status.Code);
    }

    [Fact]
    public async Task Streams_SameNameInTwoApps_Independent()
    {
        await using var relay = new RelayHarness(o => o.Applications["other"] = new ApplicationOptions());
        var first = await relay.ConnectAsync("pub1", app: "live");
        var second = await relay.ConnectAsync("pub2", app: "other");

        await first.PublishOrFailAsync("cam1");
        await second.PublishOrFailAsync("cam1");

        Assert.Equal(2, relay.Registry.Streams.Count);
    }

    [Fact]
    public async Task Publish_SameConnectionTwice_BadConnection()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");
        await client.PublishOrFailAsync("cam1");

        var (_, status) = await client.PublishAsync("cam2");

        Assert.Equal("NetStream.Publish.BadConnection", status.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?key=only")]
    public async Task Publish_EmptyName_BadName(string name)
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");

        var (_, status) = await client.PublishAsync(name);

        Assert.Equal("NetStream.Publish.BadName", status.Code);
    }

    [Fact]
    public async Task CreateStream_MoreThanEightOnOneConnection_Error()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");
        for (var i = 1; i <= 8; i++)
        {
            Assert.Equal((uint)i, await client.CreateStreamAsync());
        }

        await client.SendCommandAsync("createStream", 100, 0, (object?)null);
        var response = await client.NextResponseAsync(100);

        Assert.Equal("_error", response.Name);
        await client.PingAsync();
    }
}
