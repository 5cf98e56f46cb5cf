using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>
/// The rig checks itself without the relay: each peer talks straight to nginx-rtmp and the oracles pass. If one of
/// these fails, the relay tests that use the same peer say nothing about the relay.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class DirectToNginxTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FfmpegPublisher_PublishesDirectlyToNginx_RecordingPassesOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();

        var publisher = rig.StartFfmpegPublisher(media.Path, nginx.Url("direct"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, "direct", media.Listing);
    }

    [Fact]
    public async Task GstRtmp2SinkPublisher_PublishesDirectlyToNginx_RecordingPassesOracle() =>
        await GstPublishesDirectly(GstSink.Rtmp2Sink);

    [Fact]
    public async Task GstRtmpSinkPublisher_PublishesDirectlyToNginx_RecordingPassesOracle() =>
        await GstPublishesDirectly(GstSink.RtmpSink);

    [Fact]
    public async Task FfmpegPlayer_PlaysFromNginxWhileFfmpegPublishes_OutputPassesPlayerOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var publisher = rig.StartFfmpegPublisher(media.Path, nginx.Url("played"));
        Assert.True(await WaitForPublishAsync(nginx, "played"), $"nginx logged no publish of played.\n{nginx.Describe()}");

        var player = rig.StartFfmpegPlayer(nginx.Url("played"), TimeSpan.FromSeconds(2));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(3)), "ffmpeg player had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
    }

    [Fact]
    public async Task RtmpdumpPlayer_PlaysFromNginxWhileFfmpegPublishes_OutputPassesPlayerOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var publisher = rig.StartFfmpegPublisher(media.Path, nginx.Url("dumped"));
        Assert.True(await WaitForPublishAsync(nginx, "dumped"), $"nginx logged no publish of dumped.\n{nginx.Describe()}");

        var player = rig.StartRtmpdump(nginx.Url("dumped"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(1)), "rtmpdump had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
    }

    /// <summary>Waits (bounded) until nginx has logged the publish, so a player started now finds the stream.</summary>
    private static async Task<bool> WaitForPublishAsync(NginxRtmp nginx, string streamName)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (nginx.PublishCount(streamName) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        return nginx.PublishCount(streamName) > 0;
    }

    private async Task GstPublishesDirectly(GstSink sink)
    {
        await using var rig = InteropRig.Create(output, $"GstPublishesDirectly_{sink}");
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();

        var publisher = await rig.StartGstPublisherAsync(sink, media.Path, nginx.Url("gst"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        var sent = await Oracle.FrameMd5.ListAsync(publisher.SentPath);
        await rig.AssertRecordingMatchesAsync(nginx, "gst", sent);
    }
}
