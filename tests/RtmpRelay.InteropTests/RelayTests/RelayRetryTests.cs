using System.Diagnostics;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Retry with backoff: a destination on a closed port is retried with exponentially growing, fully jittered delays
/// (each announced in the log and then really waited), while the encoder and the healthy destination carry on as if
/// it did not exist.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayRetryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ClipDuration = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    // Relay:Destinations:Retry defaults.
    private static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(700);
    private const int MinAttempts = 3;

    [Fact]
    public async Task Relay_DestinationOnClosedPort_RetriedWithJitteredBackoffWhileOtherRecordingPasses()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(ClipDuration);
        var nginx = await rig.StartNginxAsync();
        var closedPort = FreePort.Next(); // free a moment ago; nothing listens there
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("c", $"rtmp://127.0.0.1:{closedPort}/live/{{stream}}_c")],
            RelayPublishTests.RelayLogging);

        var clock = Stopwatch.StartNew();
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url("retry"));

        var exitCode = await publisher.WaitForExitAsync(PublishTimeout);
        var took = clock.Elapsed;
        rig.Log($"the publisher took {took.TotalSeconds:0.00} s for {media.Duration.TotalSeconds:0} s of media");
        Assert.True(exitCode == 0, $"The publisher exited with {exitCode}.\n{publisher.Describe()}");
        Assert.True(publisher.ErrorLines.Count == 0, $"The publisher logged errors:\n{string.Join('\n', publisher.ErrorLines)}");
        Assert.True(took < media.Duration + TimeSpan.FromSeconds(5),
            $"Publishing {media.Duration.TotalSeconds:0} s of media took {took.TotalSeconds:0.00} s: the failing destination held the encoder up.\n{relay.Describe()}");
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream("retry", "a"), media.Listing);

        var log = relay.ParseLog();
        var key = $"{RelayProcess.Application}/retry";
        var retries = RetryBackoffOracle.Check(log, key, "c", InitialDelay, MaxDelay, MinAttempts, Early, Late, reasonContains: "refused");
        rig.Log(retries.Report);
        Assert.True(retries.Passed, $"{retries.Report}\n{relay.Describe()}");
        Assert.True(log.ConnectAttempts(key, "a").Count == 1,
            $"The relay connected destination a {log.ConnectAttempts(key, "a").Count} times, expected once.\n{relay.Describe()}");
        Assert.False(relay.HasExited, "The relay exited.");
    }
}
