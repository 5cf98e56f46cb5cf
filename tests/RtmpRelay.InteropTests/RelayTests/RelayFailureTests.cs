using System.Diagnostics;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>What the relay does when things go wrong: a destination dies mid-stream, a second encoder takes a live name.</summary>
[Collection(InteropCollection.Name)]
public sealed class RelayFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Relay_OneOfTwoDestinationsKilledMidStream_OtherRecordingPassesAndPublisherExitsCleanly()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var survivor = await rig.StartNginxAsync("nginx-survivor");
        var victim = await rig.StartNginxAsync("nginx-victim");
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(survivor, "a")), ("b", RelayProcess.DestinationUrl(victim, "b"))],
            RelayPublishTests.RelayLogging);

        var clock = Stopwatch.StartNew();
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("kill"));
        var victimRecording = victim.RecordingPath(RelayProcess.DestinationStream("kill", "b"));
        while (clock.Elapsed < TimeSpan.FromSeconds(1.5) || (!File.Exists(victimRecording) && clock.Elapsed < TimeSpan.FromSeconds(3)))
        {
            await Task.Delay(50);
        }

        rig.Log($"killing {victim.Name} {clock.Elapsed.TotalSeconds:0.00} s into the stream (its recording {(File.Exists(victimRecording) ? "exists" : "does not exist")})");
        victim.Kill();

        var exitCode = await publisher.WaitForExitAsync(PublishTimeout);
        Assert.True(exitCode == 0, $"The publisher exited with {exitCode}.\n{publisher.Describe()}");
        Assert.True(publisher.ErrorLines.Count == 0, $"The publisher logged errors:\n{string.Join('\n', publisher.ErrorLines)}");
        Assert.False(relay.HasExited, "The relay exited.");
        await rig.AssertRecordingMatchesAsync(survivor, RelayProcess.DestinationStream("kill", "a"), media.Listing);
    }

    [Fact]
    public async Task Relay_SecondPublisherOnSameName_IsRefusedAndFirstRecordingPasses()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var relay = await rig.StartRelayAsync([("a", RelayProcess.DestinationUrl(nginx, "a"))], RelayPublishTests.RelayLogging);

        var first = rig.StartFfmpegPublisher(media.Path, relay.Url("taken"), "ffmpeg-first");
        var firstRecording = nginx.RecordingPath(RelayProcess.DestinationStream("taken", "a"));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(1) || (!File.Exists(firstRecording) && clock.Elapsed < TimeSpan.FromSeconds(3)))
        {
            await Task.Delay(50);
        }

        var second = rig.StartFfmpegPublisher(media.Path, relay.Url("taken"), "ffmpeg-second");

        var secondExit = await second.WaitForExitAsync(PublishTimeout);
        Assert.True(secondExit != 0 || second.Output.Contains("NetStream.Publish.BadName", StringComparison.Ordinal),
            $"The second publisher was not refused (exit code {secondExit}).\n{second.Describe()}");
        Assert.False(first.HasExited && first.ExitCode != 0, $"The first publisher failed when the second came.\n{first.Describe()}");

        Assert.Equal(0, await first.WaitForExitAsync(PublishTimeout));
        Assert.Empty(first.ErrorLines);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("taken", "a"), media.Listing);
    }
}
