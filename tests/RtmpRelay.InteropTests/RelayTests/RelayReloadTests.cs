using System.Diagnostics;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Live reconfiguration: a destination added to the relay's settings file while a stream is live starts on that
/// stream at its next keyframe, and stops cleanly when it is removed again; the destination given on the command
/// line is not touched and records the whole stream.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayReloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ClipDuration = TimeSpan.FromSeconds(16);
    private static readonly TimeSpan AddAt = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RemoveAt = TimeSpan.FromSeconds(11);
    private static readonly TimeSpan ShortestRun = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LongestRun = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Relay_DestinationAddedThenRemovedInSettingsFile_JoinsOnKeyframeLeavesCleanlyAndOthersUntouched()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(ClipDuration);
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            RelayPublishTests.RelayLogging,
            settings: RelayProcess.DestinationSettings([]));

        var clock = Stopwatch.StartNew();
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("reload"));

        await DelayUntil(clock, AddAt);
        relay.WriteSettings(RelayProcess.DestinationSettings([("b", RelayProcess.DestinationUrl(nginx, "b"))]));
        rig.Log($"{RelayProcess.SettingsFileName} now names destination b ({clock.Elapsed.TotalSeconds:0.00} s into the publish)");
        await DelayUntil(clock, RemoveAt);
        relay.WriteSettings(RelayProcess.DestinationSettings([]));
        rig.Log($"{RelayProcess.SettingsFileName} no longer names destination b ({clock.Elapsed.TotalSeconds:0.00} s into the publish)");

        var exitCode = await publisher.WaitForExitAsync(PublishTimeout);
        Assert.True(exitCode == 0, $"The publisher exited with {exitCode}.\n{publisher.Describe()}");
        Assert.True(publisher.ErrorLines.Count == 0, $"The publisher logged errors:\n{string.Join('\n', publisher.ErrorLines)}");
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("reload", "a"), media.Listing);
        var b = RelayProcess.DestinationStream("reload", "b");
        await rig.AssertRecordingIsSourceRunAsync(nginx, b, media, ShortestRun, LongestRun);
        Assert.True(nginx.PublishEndedBeforeDisconnect(b) == true,
            $"Destination b did not end its publish (deleteStream) before disconnecting from nginx.\n{nginx.Describe()}");

        var log = relay.ParseLog();
        var key = $"{RelayProcess.Application}/reload";
        Assert.True(log.ConnectAttempts(key, "a").Count == 1,
            $"The relay connected destination a {log.ConnectAttempts(key, "a").Count} times, expected once: a reload touched it.\n{relay.Describe()}");
        Assert.True(log.ConnectAttempts(key, "b").Count == 1,
            $"The relay connected destination b {log.ConnectAttempts(key, "b").Count} times, expected once.\n{relay.Describe()}");
        Assert.False(relay.HasExited, "The relay exited.");
    }

    private static async Task DelayUntil(Stopwatch clock, TimeSpan at)
    {
        var left = at - clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
    }
}
