using RtmpRelay.Options;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

public class PublishPlayTests
{
    [Fact]
    public async Task Publish_NewName_PublishStart()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");

        var (streamId, status) = await publisher.PublishAsync("cam1");

        Assert.Equal("NetStream.Publish.Start", status.Code);
        Assert.Equal("status", status.Info!.GetString("level"));
        Assert.Equal(streamId, status.StreamId);
        Assert.True(relay.Registry.TryGet(new("live", "cam1"), out _));
    }

    [Fact]
    public async Task Publish_NameWithQuery_RegisteredUnderTheBareName()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");

        await publisher.PublishOrFailAsync("cam1?key=secret");

        Assert.True(relay.Registry.TryGet(new("live", "cam1"), out _));
    }

    [Fact]
    public async Task Publish_NameAlreadyPublished_BadNameAndTheFirstKeepsPublishing()
    {
        await using var relay = new RelayHarness();
        var first = await relay.ConnectAsync("pub1");
        var firstStream = await first.PublishOrFailAsync("cam1");
        var second = await relay.ConnectAsync("pub2");

        var (secondStream, status) = await second.PublishAsync("cam1");

        Assert.Equal("NetStream.Publish.BadName", status.Code);
        Assert.Equal("error", status.Info!.GetString("level"));

        // The first publisher still owns the name: its media reaches a player, the second's does not.
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");
        await second.SendVideoAsync(secondStream, 0, FlvSamples.KeyFrame(0xEE));
        await second.PingAsync();
        var keyFrame = FlvSamples.KeyFrame(1);
        await first.SendVideoAsync(firstStream, 40, keyFrame);

        var video = await player.NextAsync(m => m.Type == RtmpMessageType.Video, "video");
        Assert.Equal(keyFrame, video.Payload);
        Assert.Equal(40u, video.Timestamp);
        Assert.Equal(playStream, video.StreamId);
    }

    [Fact]
    public async Task Play_LiveStream_StatusMetadataSequenceHeadersThenMediaFromTheNextKeyframe()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        await publisher.SendDataAsync(pubStream, 0, "@setDataFrame", "onMetaData", FlvSamples.MetaData());
        await publisher.SendVideoAsync(pubStream, 0, FlvSamples.AvcSequenceHeader);
        await publisher.SendAudioAsync(pubStream, 0, FlvSamples.AacSequenceHeader);
        await publisher.SendVideoAsync(pubStream, 0, FlvSamples.KeyFrame(1));
        await publisher.SendAudioAsync(pubStream, 10, FlvSamples.AacFrame(1));
        await publisher.SendVideoAsync(pubStream, 33, FlvSamples.InterFrame(2));
        await publisher.PingAsync(); // the relay has taken all of it

        var player = await relay.ConnectAsync("player");
        var afterConnect = player.All.Count;
        var playStream = await player.PlayAsync("cam1");
        await player.NextAsync(m => m.Type == RtmpMessageType.Audio, "AAC sequence header"); // the player is attached

        // Joined mid-GOP: these are dropped; the player starts at the next keyframe.
        await publisher.SendVideoAsync(pubStream, 66, FlvSamples.InterFrame(3));
        await publisher.SendAudioAsync(pubStream, 70, FlvSamples.AacFrame(2));
        await publisher.SendVideoAsync(pubStream, 100, FlvSamples.KeyFrame(4, size: 5000)); // over one 4096-byte chunk
        await publisher.SendAudioAsync(pubStream, 110, FlvSamples.AacFrame(3));
        await publisher.SendVideoAsync(pubStream, 0x01000000, FlvSamples.InterFrame(5)); // extended timestamp
        await player.NextAsync(m => m.Type == RtmpMessageType.Video && m.Timestamp == 0x01000000, "last inter frame");

        var received = player.All.Skip(afterConnect).Where(m => m.Name is not ("_result" or "_error")).ToList();
        Assert.Collection(received,
            m =>
            {
                Assert.Equal(UserControlEventType.StreamBegin, m.Event);
                Assert.Equal(playStream, m.EventValue);
            },
            m => Assert.True(m.IsStatus("NetStream.Play.Reset") && m.StreamId == playStream, m.ToString()),
            m => Assert.True(m.IsStatus("NetStream.Play.Start") && m.StreamId == playStream, m.ToString()),
            m =>
            {
                Assert.Equal(RtmpMessageType.DataAmf0, m.Type);
                Assert.Equal(["|RtmpSampleAccess", true, true], m.Values!);
            },
            m => AssertMedia(m, RtmpMessageType.DataAmf0, 0, playStream, FlvSamples.OnMetaData()),
            m => AssertMedia(m, RtmpMessageType.Video, 0, playStream, FlvSamples.AvcSequenceHeader),
            m => AssertMedia(m, RtmpMessageType.Audio, 0, playStream, FlvSamples.AacSequenceHeader),
            m => AssertMedia(m, RtmpMessageType.Video, 100, playStream, FlvSamples.KeyFrame(4, size: 5000)),
            m => AssertMedia(m, RtmpMessageType.Audio, 110, playStream, FlvSamples.AacFrame(3)),
            m => AssertMedia(m, RtmpMessageType.Video, 0x01000000, playStream, FlvSamples.InterFrame(5)));
    }

    [Fact]
    public async Task Play_BeforeAnyMedia_EverythingRelayedFromTheStart()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");

        await publisher.SendDataAsync(pubStream, 0, "@setDataFrame", "onMetaData", FlvSamples.MetaData());
        await publisher.SendVideoAsync(pubStream, 0, FlvSamples.AvcSequenceHeader);
        await publisher.SendVideoAsync(pubStream, 0, FlvSamples.KeyFrame(1));
        await publisher.SendVideoAsync(pubStream, 33, FlvSamples.InterFrame(2));

        AssertMedia(await player.NextAsync(m => m.Name == "onMetaData", "metadata"), RtmpMessageType.DataAmf0, 0, playStream, FlvSamples.OnMetaData());
        AssertMedia(await player.NextAsync(), RtmpMessageType.Video, 0, playStream, FlvSamples.AvcSequenceHeader);
        AssertMedia(await player.NextAsync(), RtmpMessageType.Video, 0, playStream, FlvSamples.KeyFrame(1));
        AssertMedia(await player.NextAsync(), RtmpMessageType.Video, 33, playStream, FlvSamples.InterFrame(2));
    }

    [Fact]
    public async Task Play_StreamNotLive_StreamNotFound()
    {
        await using var relay = new RelayHarness();
        var player = await relay.ConnectAsync("player");

        var playStream = await player.PlayAsync("nobody");
        var status = await player.NextAsync(m => m.Name == "onStatus", "onStatus");

        Assert.Equal("NetStream.Play.StreamNotFound", status.Code);
        Assert.Equal("error", status.Info!.GetString("level"));
        Assert.Equal(playStream, status.StreamId);
        await player.PingAsync(); // the connection stays up
    }

    [Fact]
    public async Task Unpublish_FCUnpublishAndDeleteStream_PublisherUnpublishSuccessPlayerStreamEofAndUnpublishNotify()
    {
        await using var relay = new RelayHarness(NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");

        await publisher.UnpublishAsync("cam1", pubStream);

        var unpublished = await publisher.NextStatusAsync("NetStream.Unpublish.Success");
        Assert.Equal(pubStream, unpublished.StreamId);
        var eof = await player.NextEventAsync(UserControlEventType.StreamEof);
        Assert.Equal(playStream, eof.EventValue);
        var notify = await player.NextStatusAsync("NetStream.Play.UnpublishNotify");
        Assert.Equal(playStream, notify.StreamId);
        Assert.False(relay.Registry.TryGet(new("live", "cam1"), out _));

        // The name is free again.
        var next = await relay.ConnectAsync("pub2");
        await next.PublishOrFailAsync("cam1");
    }

    [Fact]
    public async Task Unpublish_PublisherHangsUp_PlayerGetsStreamEofAndUnpublishNotify()
    {
        await using var relay = new RelayHarness(NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");

        await publisher.CloseAsync();

        Assert.Equal(playStream, (await player.NextEventAsync(UserControlEventType.StreamEof)).EventValue);
        await player.NextStatusAsync("NetStream.Play.UnpublishNotify");
        await relay.Log.WaitForCloseAsync("pub");
        Assert.False(relay.Registry.TryGet(new("live", "cam1"), out _));
    }

    /// <summary>Reconnect bridging off: a stream ends the moment its publisher leaves.</summary>
    internal static void NoBridging(RelayOptions options) => options.Applications["live"].ReconnectGrace = TimeSpan.Zero;

    internal static void AssertMedia(ReceivedMessage m, RtmpMessageType type, uint timestamp, uint streamId, byte[] payload)
    {
        Assert.True(m.Type == type && m.Timestamp == timestamp && m.StreamId == streamId,
            $"expected {type} ts={timestamp} msid={streamId}, got {m}");
        Assert.Equal(Convert.ToHexString(payload), Convert.ToHexString(m.Payload));
    }
}
