using System.IO.Pipelines;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

public class SlowPlayerTests
{
    private const int FrameSize = 8 * 1024;
    private const int Gops = 8;
    private const int FramesPerGop = 10;

    [Fact]
    public async Task SlowPlayer_NeverReads_PublisherAndOtherPlayerUnaffectedAndSlowQueueDrops()
    {
        await using var relay = new RelayHarness(o => o.SendQueueBytes = 64 * 1024);
        var publisher = await relay.ConnectAsync("pub");
        var pubStream = await publisher.PublishOrFailAsync("cam1");
        await publisher.SendDataAsync(pubStream, 0, "@setDataFrame", "onMetaData", FlvSamples.MetaData());
        await publisher.SendVideoAsync(pubStream, 0, FlvSamples.AvcSequenceHeader);
        await publisher.SendAudioAsync(pubStream, 0, FlvSamples.AacSequenceHeader);
        await publisher.PingAsync();

        var fast = await relay.ConnectAsync("fast");
        var fastStream = await fast.PlayAsync("cam1");
        await fast.NextAsync(m => m.Type == RtmpMessageType.Audio, "AAC sequence header");

        // The slow player's side of the pipe holds 4 KiB before the relay's writes wait; then it stops reading.
        var small = new PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 2048, minimumSegmentSize: 512, useSynchronizationContext: false);
        var slow = await relay.ConnectAsync("slow", serverToClient: small);
        await slow.PlayAsync("cam1");
        await slow.NextAsync(m => m.Type == RtmpMessageType.Audio, "AAC sequence header");
        await slow.StopReceivingAsync();

        // 640 KiB of media, ten times the slow player's queue budget. Every send completes: the publisher is never held up.
        // The other player gets every frame, in order, bit for bit (paced on it, so its own 64 KiB budget is never the limit).
        for (var gop = 0; gop < Gops; gop++)
        {
            for (var i = 0; i < FramesPerGop; i++)
            {
                var n = gop * FramesPerGop + i;
                var timestamp = (uint)(n * 33);
                var payload = i == 0 ? FlvSamples.KeyFrame((byte)n, FrameSize) : FlvSamples.InterFrame((byte)n, FrameSize);
                await publisher.SendVideoAsync(pubStream, timestamp, payload);
                var video = await fast.NextAsync(m => m.Type == RtmpMessageType.Video && m.Payload.Length > 100, $"frame at {timestamp}");
                PublishPlayTests.AssertMedia(video, RtmpMessageType.Video, timestamp, fastStream, payload);
            }
        }
        await publisher.PingAsync();

        // The slow player dropped media rather than queueing it all; when it leaves, the count is logged.
        await slow.CloseAsync();
        var stopped = await relay.Log.WaitForAsync(e => e.ConnectionId == "slow" && e.EventId.Id == TestLogger.StoppedPlaying, "slow player stopped");
        var dropped = Convert.ToInt64(stopped["Dropped"]);
        Assert.True(dropped > 0, $"the slow player's queue dropped nothing: {stopped}");
        Assert.True(dropped < Gops * FramesPerGop);
        await relay.Log.WaitForCloseAsync("slow");

        await fast.CloseAsync();
        var fastStopped = await relay.Log.WaitForAsync(e => e.ConnectionId == "fast" && e.EventId.Id == TestLogger.StoppedPlaying, "fast player stopped");
        Assert.Equal(0L, Convert.ToInt64(fastStopped["Dropped"]));

        // And the publisher is still in business.
        await publisher.PingAsync();
    }
}
