using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

/// <summary>A publisher and a player of one stream, used to show that trouble on another connection leaves them alone.</summary>
internal sealed class HealthyPair
{
    private byte _mark;

    private HealthyPair(TestRtmpClient publisher, uint publishStream, TestRtmpClient player, uint playStream)
    {
        Publisher = publisher;
        PublishStream = publishStream;
        Player = player;
        PlayStream = playStream;
    }

    public TestRtmpClient Publisher { get; }
    public uint PublishStream { get; }
    public TestRtmpClient Player { get; }
    public uint PlayStream { get; }

    public static async Task<HealthyPair> StartAsync(RelayHarness relay, string name)
    {
        var publisher = await relay.ConnectAsync($"{name}-pub");
        var publishStream = await publisher.PublishOrFailAsync(name);
        var player = await relay.ConnectAsync($"{name}-player");
        var playStream = await player.PlayAttachedAsync(name);
        var pair = new HealthyPair(publisher, publishStream, player, playStream);
        await pair.AssertRelaysAsync();
        return pair;
    }

    /// <summary>A keyframe from the publisher reaches the player, bit for bit.</summary>
    public async Task AssertRelaysAsync()
    {
        var mark = ++_mark;
        var keyFrame = FlvSamples.KeyFrame(mark);
        await Publisher.SendVideoAsync(PublishStream, 1000u * mark, keyFrame);
        var received = await Player.NextAsync(m => m.Type == RtmpMessageType.Video && m.Timestamp == 1000u * mark, $"keyframe {mark}");
        Assert.Equal(keyFrame, received.Payload);
        Assert.Equal(PlayStream, received.StreamId);
    }

    /// <summary>A new publisher and player on the same relay work end to end.</summary>
    public static async Task AssertNewConnectionsWorkAsync(RelayHarness relay, string name = "after")
    {
        var pair = await StartAsync(relay, name);
        await pair.AssertRelaysAsync();
    }
}
