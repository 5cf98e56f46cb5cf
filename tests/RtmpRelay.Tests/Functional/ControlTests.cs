using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

/// <summary>What the message layer answers by itself: acknowledgements, pings, aggregates.</summary>
public class ControlTests
{
    [Fact]
    public async Task Acknowledgement_ClientWindowReached_SentWithTheBytesReceived()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");
        await client.SendControlAsync((w, size) => ControlMessages.WriteWindowAcknowledgementSize(w, 100_000, size));
        await client.PingAsync();
        Assert.DoesNotContain(client.All, m => m.Type == RtmpMessageType.Acknowledgement);

        // 150 audio messages of 1000 bytes on message stream 0 (ignored: nothing is published there), in one write.
        await client.SendAsync(w =>
        {
            for (var i = 0; i < 150; i++)
            {
                ChunkWriter.Write(w, TestRtmpClient.AudioChunkStream, RtmpMessageType.Audio, (uint)i, 0, FlvSamples.AacFrame((byte)i, 998), client.OutgoingChunkSize);
            }
        });
        var sent = client.BytesSent;

        var ack = await client.NextAsync(m => m.Type == RtmpMessageType.Acknowledgement, "Acknowledgement");
        Assert.True(sent >= 100_000);
        Assert.Equal((uint)sent, ack.UInt32Value);
        Assert.Equal(2, ack.ChunkStreamId);
    }

    [Fact]
    public async Task Acknowledgement_BelowTheWindow_NotSent()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");
        await client.SendControlAsync((w, size) => ControlMessages.WriteWindowAcknowledgementSize(w, 100_000, size));

        await client.SendAsync(w => ChunkWriter.Write(w, TestRtmpClient.AudioChunkStream, RtmpMessageType.Audio, 0, 0, new byte[50_000], client.OutgoingChunkSize));
        await client.PingAsync();

        Assert.DoesNotContain(client.All, m => m.Type == RtmpMessageType.Acknowledgement);
    }

    [Fact]
    public async Task Acknowledgement_EveryWindow_OnePerWindow()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");
        await client.SendControlAsync((w, size) => ControlMessages.WriteWindowAcknowledgementSize(w, 10_000, size));
        await client.PingAsync();
        var acksBefore = client.All.Count(m => m.Type == RtmpMessageType.Acknowledgement);

        var sequences = new List<uint>();
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(w => ChunkWriter.Write(w, TestRtmpClient.AudioChunkStream, RtmpMessageType.Audio, 0, 0, new byte[12_000], client.OutgoingChunkSize));
            var sent = client.BytesSent;
            var ack = await client.NextAsync(m => m.Type == RtmpMessageType.Acknowledgement, $"Acknowledgement {i}");
            Assert.Equal((uint)sent, ack.UInt32Value);
            sequences.Add(ack.UInt32Value);
        }

        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(0, acksBefore);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x01020304u)]
    [InlineData(0xFFFFFFFFu)]
    public async Task PingRequest_AnsweredWithPingResponseCarryingTheSameTimestamp(uint timestamp)
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");

        await client.SendControlAsync((w, size) => ControlMessages.WriteUserControl(w, UserControlEventType.PingRequest, timestamp, size));
        var response = await client.NextEventAsync(UserControlEventType.PingResponse);

        Assert.Equal(timestamp, response.EventValue);
        Assert.Equal(RtmpMessageType.UserControl, response.Type);
        Assert.Equal(6, response.Payload.Length);
    }

    [Fact]
    public async Task PingRequest_BeforeConnect_Answered()
    {
        await using var relay = new RelayHarness();
        var client = await relay.HandshakeAsync("c1");

        await client.PingAsync(1234);
    }

    [Fact]
    public async Task SetChunkSize_FromTheClient_FollowingMessagesParsedWithIt()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");
        await publisher.SetChunkSizeAsync(60_000);
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");

        var keyFrame = FlvSamples.KeyFrame(9, size: 100_000);
        await publisher.SendVideoAsync(pubStream, 0, keyFrame);

        PublishPlayTests.AssertMedia(await player.NextAsync(m => m.Type == RtmpMessageType.Video, "keyframe"), RtmpMessageType.Video, 0, playStream, keyFrame);
    }

    [Fact]
    public async Task Aggregate_Published_ReachesThePlayerAsSeparateRebasedMessages()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");

        var keyFrame = FlvSamples.KeyFrame(1);
        var audio = FlvSamples.AacFrame(2);
        var inter = FlvSamples.InterFrame(3);
        byte[] aggregate = [.. Tag(9, 500, keyFrame), .. Tag(8, 510, audio), .. Tag(9, 540, inter)];
        await publisher.SendMessageAsync(TestRtmpClient.VideoChunkStream, RtmpMessageType.Aggregate, 2000, pubStream, aggregate);

        PublishPlayTests.AssertMedia(await player.NextAsync(m => m.Type is RtmpMessageType.Video or RtmpMessageType.Audio, "first"), RtmpMessageType.Video, 2000, playStream, keyFrame);
        PublishPlayTests.AssertMedia(await player.NextAsync(), RtmpMessageType.Audio, 2010, playStream, audio);
        PublishPlayTests.AssertMedia(await player.NextAsync(), RtmpMessageType.Video, 2040, playStream, inter);
    }

    [Fact]
    public async Task Aggregate_TruncatedSubMessage_ClosedOnAProtocolError()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");
        var pubStream = await publisher.PublishOrFailAsync("cam1");

        byte[] aggregate = [.. Tag(9, 0, FlvSamples.KeyFrame(1)), .. Tag(9, 40, FlvSamples.InterFrame(2))[..^8]];
        await publisher.SendMessageAsync(TestRtmpClient.VideoChunkStream, RtmpMessageType.Aggregate, 0, pubStream, aggregate);

        await publisher.WaitClosedAsync();
        var close = await relay.Log.WaitForCloseAsync("pub");
        Assert.Equal(TestLogger.ProtocolError, close.EventId.Id);
        Assert.Contains("Aggregate", close.Message);
    }

    /// <summary>FLV tag: type | size BE24 | timestamp BE24 + high byte | stream id BE24 | data | back pointer BE32.</summary>
    private static byte[] Tag(byte type, uint timestamp, byte[] data)
    {
        var size = data.Length;
        var back = 11 + size;
        return
        [
            type, (byte)(size >> 16), (byte)(size >> 8), (byte)size,
            (byte)(timestamp >> 16), (byte)(timestamp >> 8), (byte)timestamp, (byte)(timestamp >> 24),
            0, 0, 0,
            .. data,
            (byte)(back >> 24), (byte)(back >> 16), (byte)(back >> 8), (byte)back,
        ];
    }
}
