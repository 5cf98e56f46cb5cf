using System.Diagnostics;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Encoder-reconnect bridging: an encoder that stops and publishes the same name again within the reconnect grace
/// continues the same stream. The destination stays connected and publishing throughout, so nginx-rtmp records one
/// file holding both runs, the second rebased to continue after the first.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayBridgingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ClipDuration = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReconnectGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    // The relay sees a longer pause than the test (the second ffmpeg's start-up and connect); it may round either way.
    private static readonly TimeSpan GapBelowPause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan GapAbovePause = TimeSpan.FromMilliseconds(1500);

    [Fact]
    public async Task Relay_EncoderRepublishesWithinGrace_DestinationRecordsBothRunsInOnePublish()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(ClipDuration);
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, $"--Relay:Applications:{RelayProcess.Application}:ReconnectGrace={ReconnectGrace:c}"]);

        var first = rig.StartFfmpegPublisher(media.Path, relay.Url("br"), "ffmpeg-first");
        var firstExit = await first.WaitForExitAsync(PublishTimeout);
        var sinceFirstExit = Stopwatch.StartNew();
        Assert.True(firstExit == 0, $"The first publisher exited with {firstExit}.\n{first.Describe()}");
        Assert.True(first.ErrorLines.Count == 0, $"The first publisher logged errors:\n{string.Join('\n', first.ErrorLines)}");

        await Task.Delay(Pause);
        var second = rig.StartFfmpegPublisher(media.Path, relay.Url("br"), "ffmpeg-second");
        var pause = sinceFirstExit.Elapsed;
        rig.Log($"the second publisher started {pause.TotalMilliseconds:0} ms after the first exited");

        var secondExit = await second.WaitForExitAsync(PublishTimeout);
        Assert.True(secondExit == 0, $"The second publisher exited with {secondExit}: the relay did not take the name back.\n{second.Describe()}");
        Assert.True(second.ErrorLines.Count == 0, $"The second publisher logged errors:\n{string.Join('\n', second.ErrorLines)}");

        var stream = RelayProcess.DestinationStream("br", "a");
        var runs = await rig.AssertRecordingHoldsRunsAsync(nginx, stream, [media.Listing, media.Listing]);
        var gap = runs.Gaps[1]!.Value;
        Assert.True(gap >= pause - GapBelowPause && gap <= pause + GapAbovePause,
            $"Run 2 starts {gap.TotalMilliseconds:0} ms after run 1 ends in the recording; the encoder paused {pause.TotalMilliseconds:0} ms " +
            $"(allowed {(pause - GapBelowPause).TotalMilliseconds:0} to {(pause + GapAbovePause).TotalMilliseconds:0} ms).\n{runs.Report}");
        Assert.True(nginx.PublishCount(stream) == 1,
            $"nginx saw {nginx.PublishCount(stream)} publishes of {stream}: the destination did not stay on one publish.\n{nginx.Describe()}");
        var attempts = relay.ParseLog().ConnectAttempts($"{RelayProcess.Application}/br", "a");
        Assert.True(attempts.Count == 1, $"The relay connected destination a {attempts.Count} times, expected once.\n{relay.Describe()}");
        Assert.False(relay.HasExited, "The relay exited.");
    }
}
