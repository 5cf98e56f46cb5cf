using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

public class LongRunningPublishTests
{
    [Fact]
    public async Task Publish_ManyKeyframesOver64KiBWithDefaultLimits_PublisherStaysConnected()
    {
        // End-to-end symptom of the ChunkReader pending-bytes leak (see ChunkReaderLimitTests): every message over
        // 64 KiB leaves ~192 KiB counted in ChunkReader._pendingBytes, so with the default MaxPendingBytes (16 MiB)
        // an encoder sending 200 KB keyframes (OBS chunk size 4096) is disconnected after ~85 keyframes (about three
        // minutes at one keyframe every 2 s) with "Incomplete messages would hold more than 16777216 bytes."
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync("pub");
        await publisher.SetChunkSizeAsync(4096);
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        var playStream = await player.PlayAttachedAsync("cam1");

        for (var i = 0; i < 100; i++)
        {
            var keyFrame = FlvSamples.KeyFrame((byte)i, 200_000);
            await publisher.SendVideoAsync(pubStream, (uint)(i * 2000), keyFrame);
            var video = await player.NextAsync(m => m.Type == RtmpMessageType.Video || m.IsStatus("NetStream.Play.UnpublishNotify"), $"keyframe {i}");
            if (video.Type != RtmpMessageType.Video)
            {
                var close = await relay.Log.WaitForCloseAsync("pub");
                Assert.Fail($"The publisher was disconnected after {i} keyframes of 200 KB: {close.Message}");
            }
            PublishPlayTests.AssertMedia(video, RtmpMessageType.Video, (uint)(i * 2000), playStream, keyFrame);
        }

        await publisher.PingAsync();
    }
}
