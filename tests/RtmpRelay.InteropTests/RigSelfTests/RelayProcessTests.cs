using System.Diagnostics;
using System.Text.Json.Nodes;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using RtmpRelay.InteropTests.RelayTests;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>
/// What the relay tests assume of <see cref="RelayProcess"/>: every log entry carries a timestamp (retry timing is
/// measured from them), and the settings file a test writes is the environment file in the relay's content root.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartupLogTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RelayProcess_Started_EveryLogEntryCarriesTimestamp()
    {
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging);

        var log = await WaitForEntryAsync(relay, "Application started");

        Assert.NotEmpty(log.Entries);
        Assert.All(log.Entries, e => Assert.True(e.Time is not null, $"No timestamp on {e}"));
        var now = DateTime.Now.TimeOfDay;
        var started = log.Entries.First(e => e.Message.StartsWith("Application started", StringComparison.Ordinal)).Time!.Value;
        var apart = (now - started).Duration();
        Assert.True(apart < StartupLogTimeout || apart > TimeSpan.FromDays(1) - StartupLogTimeout, $"The relay stamped {started}, the time is {now}.");
    }

    [Fact]
    public async Task RelayProcess_StartedWithSettings_FileIsEnvironmentSettingsOfContentRoot()
    {
        await using var rig = InteropRig.Create(output);
        var settings = RelayProcess.DestinationSettings([("b", "rtmp://127.0.0.1:1/live/{stream}_b")]);

        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, settings: settings);

        var log = await WaitForEntryAsync(relay, "Content root path");
        Assert.Contains(log.Entries, e => e.Message == $"Hosting environment: {RelayProcess.EnvironmentName}");
        Assert.Contains(log.Entries, e => e.Message == $"Content root path: {relay.WorkDirectory}");
        Assert.Equal(Path.Combine(relay.WorkDirectory, "appsettings.Production.json"), relay.SettingsPath);
        var written = JsonNode.Parse(await File.ReadAllTextAsync(relay.SettingsPath))!;
        Assert.Equal("rtmp://127.0.0.1:1/live/{stream}_b", (string?)written["Relay"]!["Applications"]!["live"]!["Destinations"]!["b"]!["Url"]);

        relay.WriteSettings(RelayProcess.DestinationSettings([]));

        Assert.Equal("{}", await File.ReadAllTextAsync(relay.SettingsPath));
        Assert.False(File.Exists(relay.SettingsPath + ".tmp"));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => { relay.WriteSettings("{ not json"); });
    }

    /// <summary>Waits (bounded) until the relay has logged an entry starting with <paramref name="message"/>; returns the parsed log.</summary>
    private static async Task<RelayLog> WaitForEntryAsync(RelayProcess relay, string message)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var log = relay.ParseLog();
            if (log.Entries.Any(e => e.Message.StartsWith(message, StringComparison.Ordinal)))
            {
                return log;
            }

            Assert.True(clock.Elapsed < StartupLogTimeout, $"The relay did not log '{message}' within {StartupLogTimeout.TotalSeconds:0} s.\n{relay.Describe()}");
            await Task.Delay(50);
        }
    }
}
