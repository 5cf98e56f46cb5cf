using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Local players join a live stream on the relay a second after ffmpeg started publishing it; what they record must
/// have video and audio, start with a keyframe, and be a contiguous run of the source's packets.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayPlayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan JoinAfter = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Relay_FfmpegPlaysWhileFfmpegPublishes_OutputPassesPlayerOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging);
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("watched"));
        await Task.Delay(JoinAfter);

        var player = rig.StartFfmpegPlayer(relay.Url("watched"), TimeSpan.FromSeconds(2));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(3)), "The ffmpeg player had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
    }

    [Fact]
    public async Task Relay_RtmpdumpPlaysWhileFfmpegPublishes_OutputPassesPlayerOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging);
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("dumped"));
        await Task.Delay(JoinAfter);

        var player = rig.StartRtmpdump(relay.Url("dumped"));

        Assert.Equal(0, await publisher.WaitForExitAsync(PublishTimeout));
        Assert.Empty(publisher.ErrorLines);
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(1.5)), "rtmpdump had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
    }
}
