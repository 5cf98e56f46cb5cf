using System.Text.RegularExpressions;
using RtmpRelay.InteropTests.Oracle;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>
/// The relay-log helpers on a sample of the console log as the relay writes it under the rig (simple formatter,
/// HH:mm:ss.fff timestamps): a destination c on a closed port failing and retrying across midnight, a healthy
/// destination a, unrelated entries, a stray line, an entry in single-line form. The retry oracle passes on it and
/// fails when a delay breaks its cap, an attempt comes early or late, attempts are too few, the reason is wrong, or
/// the timestamps are missing.
/// </summary>
public sealed class RelayLogTests
{
    private const string Stream = "live/re";
    private static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(700);

    private const string Sample = """
        23:59:57.900 info: Microsoft.Hosting.Lifetime[14]
              Now listening on: http://127.0.0.1:47999
        23:59:58.090 info: RtmpRelay.Server.RtmpConnectionHandler[202]
              [0HNQH1U7L3QE9] Publishing live/re
        23:59:58.100 info: RtmpRelay.Destinations.DestinationManager[400]
              [live/re -> a] Connecting to rtmp://127.0.0.1:40001/live/****
        23:59:58.101 info: RtmpRelay.Destinations.DestinationManager[400]
              [live/re -> c] Connecting to rtmp://127.0.0.1:40002/live/****
        23:59:58.105 warn: RtmpRelay.Destinations.DestinationManager[402]
              [live/re -> c] Failed: Connection refused (127.0.0.1:40002); retrying in 612 ms
        23:59:58.150 info: RtmpRelay.Destinations.DestinationManager[401]
              [live/re -> a] Publishing (remote stream id 1)
        23:59:58.720 info: RtmpRelay.Destinations.DestinationManager[400]
              [live/re -> c] Connecting to rtmp://127.0.0.1:40002/live/****
        23:59:58.722 warn: RtmpRelay.Destinations.DestinationManager[402]
              [live/re -> c] Failed: Connection refused (127.0.0.1:40002); retrying in 1530 ms
        a line that is not a log entry
        00:00:00.260 info: RtmpRelay.Destinations.DestinationManager[400]
              [live/re -> c] Connecting to rtmp://127.0.0.1:40002/live/****
        00:00:00.262 warn: RtmpRelay.Destinations.DestinationManager[402]
              [live/re -> c] Failed: Connection refused (127.0.0.1:40002); retrying in 3980 ms
        00:00:01.000 fail: RtmpRelay.Destinations.DestinationManager[405]
              [live/other -> c] Destination loop failed unexpectedly
              System.InvalidOperationException: boom
                 at Somewhere()
        00:00:04.250 info: RtmpRelay.Destinations.DestinationManager[400] [live/re -> c] Connecting to rtmp://127.0.0.1:40002/live/****
        00:00:04.252 warn: RtmpRelay.Destinations.DestinationManager[402]
              [live/re -> c] Failed: Connection refused (127.0.0.1:40002); retrying in 7001 ms

        """;

    [Fact]
    public void RelayLog_Sample_ReadsTimeLevelCategoryEventAndMessage()
    {
        var log = RelayLog.Parse(Sample);

        Assert.Equal(13, log.Entries.Count);
        var failed = log.Entries[4];
        Assert.Equal(new RelayLogEntry(9, new TimeSpan(0, 23, 59, 58, 105), "warn", "RtmpRelay.Destinations.DestinationManager", 402,
            "[live/re -> c] Failed: Connection refused (127.0.0.1:40002); retrying in 612 ms"), failed);
        Assert.Equal("[live/other -> c] Destination loop failed unexpectedly\nSystem.InvalidOperationException: boom\n   at Somewhere()", log.Entries[10].Message);
        Assert.Equal("[live/re -> c] Connecting to rtmp://127.0.0.1:40002/live/****", log.Entries[11].Message);
    }

    [Fact]
    public void RelayLog_ConnectAttempts_CountsOnlyThatStreamAndDestination()
    {
        var log = RelayLog.Parse(Sample);

        Assert.Single(log.ConnectAttempts(Stream, "a"));
        Assert.Equal(4, log.ConnectAttempts(Stream, "c").Count);
        Assert.Empty(log.ConnectAttempts("live/other", "c"));
    }

    [Fact]
    public void RelayLog_Retries_PairEachFailureWithTheNextAttemptAcrossMidnight()
    {
        var retries = RelayLog.Parse(Sample).Retries(Stream, "c");

        Assert.Equal([612L, 1530, 3980, 7001], retries.Select(r => r.DelayMilliseconds));
        Assert.All(retries, r => Assert.Equal("Connection refused (127.0.0.1:40002)", r.Reason));
        Assert.Equal([615d, 1538, 3988], retries.Take(3).Select(r => r.Gap!.Value.TotalMilliseconds));
        Assert.Null(retries[3].NextAttempt);
        Assert.Null(retries[3].Gap);
    }

    [Fact]
    public void RetryBackoffOracle_Sample_Passes()
    {
        var result = Check(Sample);

        Assert.True(result.Passed, result.Report);
        Assert.Contains("4 attempts, 4 failures, announced delays [612, 1530, 3980, 7001] ms, measured gaps [615, 1538, 3988, -] ms", result.Title);
    }

    [Fact]
    public void RetryBackoffOracle_DelayOverItsCap_Fails()
    {
        // The second failure (k = 1) may wait at most min(30000, 1000 * 2) ms.
        var result = Check(Sample.Replace("retrying in 1530 ms", "retrying in 2001 ms", StringComparison.Ordinal), late: TimeSpan.FromSeconds(5), early: TimeSpan.FromSeconds(5));

        Assert.False(result.Passed);
        Assert.Single(result.Problems);
        Assert.Contains("failure 1 announces a delay of 2001 ms, over min(30000, 1000 * 2^1) = 2000 ms", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_AttemptBeforeTheDelayIsOver_Fails()
    {
        var result = Check(Sample.Replace("00:00:04.250 info", "00:00:04.200 info", StringComparison.Ordinal));

        Assert.False(result.Passed);
        Assert.Contains("after failure 2 (\"retrying in 3980 ms\") the next attempt came 3938 ms later, outside [3950, 4680] ms", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_AttemptLongAfterTheDelay_Fails()
    {
        var result = Check(Sample.Replace("23:59:58.720 info", "23:59:58.900 info", StringComparison.Ordinal), late: TimeSpan.FromMilliseconds(100));

        Assert.False(result.Passed);
        Assert.Contains("after failure 0 (\"retrying in 612 ms\") the next attempt came 795 ms later, outside [582, 712] ms", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_FewerAttemptsThanRequired_Fails()
    {
        var result = Check(Sample, minAttempts: 5);

        Assert.False(result.Passed);
        Assert.Contains("4 connect attempt(s) logged, expected at least 5", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_ReasonWithoutRefused_Fails()
    {
        var result = Check(Sample.Replace("Failed: Connection refused (127.0.0.1:40002); retrying in 3980", "Failed: timed out; retrying in 3980", StringComparison.Ordinal));

        Assert.False(result.Passed);
        Assert.Contains("failure 2 gives the reason 'timed out', which does not contain 'refused'", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_FailureAsInformation_Fails()
    {
        var result = Check(Sample.Replace("00:00:00.262 warn", "00:00:00.262 info", StringComparison.Ordinal));

        Assert.False(result.Passed);
        Assert.Contains("failure 2 is info[402], expected warn[402]", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_LogWithoutTimestamps_Fails()
    {
        var untimed = Regex.Replace(Sample, @"^\d{2}:\d{2}:\d{2}\.\d{3} ", "", RegexOptions.Multiline);

        var result = Check(untimed);

        Assert.False(result.Passed);
        Assert.Equal(4, RelayLog.Parse(untimed).ConnectAttempts(Stream, "c").Count);
        Assert.Contains("has no timestamp", result.Report);
    }

    [Fact]
    public void RetryBackoffOracle_Cap_DoublesUpToTheMaximum()
    {
        Assert.Equal(
            [1000d, 2000, 4000, 8000, 16000, 30000, 30000],
            Enumerable.Range(0, 7).Select(k => RetryBackoffOracle.Cap(InitialDelay, MaxDelay, k).TotalMilliseconds));
        Assert.Equal(MaxDelay, RetryBackoffOracle.Cap(InitialDelay, MaxDelay, 100));
    }

    private static OracleResult Check(string log, int minAttempts = 3, TimeSpan? early = null, TimeSpan? late = null) =>
        RetryBackoffOracle.Check(RelayLog.Parse(log), Stream, "c", InitialDelay, MaxDelay, minAttempts, early ?? Early, late ?? Late, "refused");
}
