using System.Diagnostics;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>
/// What nginx-rtmp's log tells the relay tests about a publisher, checked on ffmpeg publishing straight to it: how
/// many times a name was published, and whether the publisher ended its publish before it went away (ffmpeg that
/// finishes does; ffmpeg killed mid-stream does not).
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class NginxPublishLogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task NginxRtmp_PublisherFinishes_OnePublishEndedBeforeDisconnect()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();

        var publisher = rig.StartFfmpegPublisher(media.Path, nginx.Url("clean"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.True(await WaitForEndAsync(nginx, "clean"), $"nginx logged no end of the publish.\n{nginx.Describe()}");
        Assert.True(nginx.PublishEndedBeforeDisconnect("clean"), nginx.Describe());
        Assert.Equal(1, nginx.PublishCount("clean"));
        Assert.Equal(0, nginx.PublishCount("other"));
    }

    [Fact]
    public async Task NginxRtmp_PublisherKilledMidStream_DisconnectWithoutEndingPublish()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var publisher = rig.StartFfmpegPublisher(media.Path, nginx.Url("killed"));
        var clock = Stopwatch.StartNew();
        while (nginx.PublishCount("killed") == 0 && clock.Elapsed < LogTimeout)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, nginx.PublishCount("killed"));
        // Mid-stream: media has reached nginx's recording (more than the FLV header and the metadata).
        var recording = nginx.RecordingPath("killed");
        while (!(File.Exists(recording) && new FileInfo(recording).Length > 4096) && clock.Elapsed < LogTimeout)
        {
            await Task.Delay(50);
        }
        Assert.True(File.Exists(recording) && new FileInfo(recording).Length > 4096, $"No media reached nginx's recording.\n{nginx.Describe()}");

        publisher.Dispose(); // SIGKILL: the TCP connection closes with no deleteStream

        Assert.True(await WaitForEndAsync(nginx, "killed"), $"nginx logged no end of the publish.\n{nginx.Describe()}");
        Assert.False(nginx.PublishEndedBeforeDisconnect("killed"), nginx.Describe());
    }

    private static async Task<bool> WaitForEndAsync(NginxRtmp nginx, string streamName)
    {
        var clock = Stopwatch.StartNew();
        while (nginx.PublishEndedBeforeDisconnect(streamName) is null && clock.Elapsed < LogTimeout)
        {
            await Task.Delay(50);
        }

        return nginx.PublishEndedBeforeDisconnect(streamName) is not null;
    }
}
