using System.Net;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Hardening;

/// <summary>Limits on counts (Relay:Limits): each refusal is clean, logged once per address and reason per minute, and harms nobody else.</summary>
public class CountLimitTests
{
    private const int Refused = 1000;
    private static readonly IPEndPoint First = new(IPAddress.Parse("192.0.2.1"), 50000);
    private static readonly IPEndPoint Second = new(IPAddress.Parse("192.0.2.2"), 50000);

    private static IEnumerable<LogEntry> Refusals(RelayHarness relay) => relay.Log.Entries.Where(e => e.EventId.Id == Refused);

    [Fact]
    public async Task ConnectionsPerAddress_OneTooMany_RefusedBeforeTheHandshakeOthersUnaffected()
    {
        await using var relay = new RelayHarness(o => o.Limits.MaxConnectionsPerAddress = 2);
        relay.Open("a1", remote: First);
        relay.Open("a2", remote: First);
        var refused = relay.Open("a3", remote: First);
        var other = relay.Open("b1", remote: Second);

        await refused.HandlerTask.WaitAsync(TestRtmpClient.DefaultTimeout);
        var entry = Assert.Single(Refusals(relay));
        Assert.Contains("192.0.2.1", entry.Message, StringComparison.Ordinal);
        Assert.Contains("Relay:Limits:MaxConnectionsPerAddress", entry.Message, StringComparison.Ordinal);
        Assert.False(other.HandlerTask.IsCompleted);
        await other.Client.HandshakeAsync();
    }

    [Fact]
    public async Task ConnectionsPerAddress_SlotFreedWhenAConnectionCloses()
    {
        await using var relay = new RelayHarness(o => o.Limits.MaxConnectionsPerAddress = 1);
        var first = relay.Open("a1", remote: First);
        await first.Client.DisposeAsync();
        await first.HandlerTask.WaitAsync(TestRtmpClient.DefaultTimeout);

        var again = relay.Open("a2", remote: First);
        await again.Client.HandshakeAsync();
        Assert.Empty(Refusals(relay));
    }

    [Fact]
    public async Task Connections_TotalLimit_RefusalsFromOneAddressLoggedOncePerMinute()
    {
        await using var relay = new RelayHarness(o => o.Limits.MaxConnections = 1);
        relay.Open("only", remote: Second);
        for (var i = 0; i < 5; i++)
        {
            await relay.Open($"flood{i}", remote: First).HandlerTask.WaitAsync(TestRtmpClient.DefaultTimeout);
        }
        Assert.Single(Refusals(relay));

        relay.Time.Advance(TimeSpan.FromMinutes(1));
        await relay.Open("later", remote: First).HandlerTask.WaitAsync(TestRtmpClient.DefaultTimeout);

        var entries = Refusals(relay).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Contains("4 more refusals", entries[1].Message, StringComparison.Ordinal);
        Assert.Contains("Relay:Limits:MaxConnections", entries[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_OneMoreThanAllowed_PublishRefusedAndTheLiveStreamGoesOn()
    {
        await using var relay = new RelayHarness(o => o.Limits.MaxStreams = 1);
        var first = await relay.ConnectAsync("first");
        await first.PublishOrFailAsync("cam1");
        var second = await relay.ConnectAsync("second");

        var (_, status) = await second.PublishAsync("cam2");

        Assert.Equal("NetStream.Publish.Rejected", status.Code);
        await second.WaitClosedAsync();
        Assert.Contains("Relay:Limits:MaxStreams", Assert.Single(Refusals(relay)).Message, StringComparison.Ordinal);
        Assert.True(relay.Registry.TryGet(new("live", "cam1"), out _));
        Assert.False(relay.Registry.TryGet(new("live", "cam2"), out _));
    }

    [Fact]
    public async Task PlayersPerStream_OneMoreThanAllowed_PlayRefusedOthersKeepPlaying()
    {
        await using var relay = new RelayHarness(o => o.Limits.MaxPlayersPerStream = 1);
        var publisher = await relay.ConnectAsync("pub");
        var stream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        await player.PlayAttachedAsync("cam1");
        var extra = await relay.ConnectAsync("extra");

        await extra.PlayAsync("cam1");

        await extra.NextStatusAsync("NetStream.Play.Failed");
        await extra.WaitClosedAsync();
        Assert.Contains("Relay:Limits:MaxPlayersPerStream", Assert.Single(Refusals(relay)).Message, StringComparison.Ordinal);
        await publisher.SendVideoAsync(stream, 0, FlvSamples.KeyFrame(7));
        await player.NextAsync(m => m.Type == RtmpRelay.Protocol.Messages.RtmpMessageType.Video, "the keyframe");
    }

    [Fact]
    public async Task ChunkStreams_StormFromOneAddress_CountedAsARefusal()
    {
        await using var relay = new RelayHarness();
        var connection = relay.Open("storm", remote: First);
        await connection.Client.HandshakeAsync();
        var storm = new RtmpRelay.Tests.Protocol.Chunks.ChunkBytes();
        for (var csid = 10; csid < 200; csid++)
        {
            storm.Fmt0(csid, 0, 1, 8, 0).Data([0xAF]);
        }

        await connection.Client.SendRawAsync(storm.ToArray());

        await connection.HandlerTask.WaitAsync(TestRtmpClient.DefaultTimeout);
        var entry = Assert.Single(Refusals(relay));
        Assert.Contains("Relay:Limits:MaxChunkStreams", entry.Message, StringComparison.Ordinal);
    }
}
