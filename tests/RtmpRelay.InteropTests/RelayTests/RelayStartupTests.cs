using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// How the relay starts, as an operator sees it: an invalid setting ends it at once with exit code 2 and one line on
/// stderr that names the key and the value (no stack trace); a good start logs one summary with the URL an encoder
/// uses; connections that close before the handshake (port scans) are not warnings.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayStartupTests(ITestOutputHelper output)
{
    private const int ConfigurationErrorExitCode = 2;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Relay_DestinationUrlNotAUrl_ExitsWithCode2AndOneLineNamingTheValue()
    {
        await using var rig = InteropRig.Create(output);

        var (relay, code, elapsed) = await RunUntilExitAsync(rig, RelayEndpoints.Allocate(), ["--Relay:Applications:live:Destinations:x:Url=notaurl"]);

        Assert.True(elapsed < ExitTimeout, $"The relay took {elapsed.TotalSeconds:0.0} s to exit.");
        Assert.Equal(ConfigurationErrorExitCode, code);
        var line = Assert.Single(Lines(relay.StandardError));
        Assert.Contains("notaurl", line, StringComparison.Ordinal);
        Assert.Contains("Relay:Applications:live:Destinations:x:Url", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", relay.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_PortInUse_ExitsWithCode2NamingEndpointAndPort()
    {
        await using var rig = InteropRig.Create(output);
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (relay, code, elapsed) = await RunUntilExitAsync(rig, new RelayEndpoints(port, Admin: FreePort.Next()), []);

        Assert.True(elapsed < ExitTimeout, $"The relay took {elapsed.TotalSeconds:0.0} s to exit.");
        Assert.Equal(ConfigurationErrorExitCode, code);
        var line = Assert.Single(Lines(relay.StandardError));
        Assert.Contains($"port {port}", line, StringComparison.Ordinal);
        Assert.Contains("Kestrel:Endpoints:Rtmp:Url", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", relay.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_AdminBeyondLoopbackWithoutToken_ExitsWithCode2()
    {
        await using var rig = InteropRig.Create(output);
        var endpoints = RelayEndpoints.Allocate();

        var (relay, code, elapsed) = await RunUntilExitAsync(rig, endpoints, [$"--Kestrel:Endpoints:Admin:Url=http://0.0.0.0:{endpoints.Admin}"]);

        Assert.True(elapsed < ExitTimeout, $"The relay took {elapsed.TotalSeconds:0.0} s to exit.");
        Assert.Equal(ConfigurationErrorExitCode, code);
        var line = Assert.Single(Lines(relay.StandardError));
        Assert.Contains("Kestrel:Endpoints:Admin:Url", line, StringComparison.Ordinal);
        Assert.Contains("Relay:Admin:Token", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_AdminBeyondLoopbackWithToken_Starts()
    {
        await using var rig = InteropRig.Create(output);
        var endpoints = RelayEndpoints.Allocate();

        var relay = await rig.StartRelayAsync([], [$"--Kestrel:Endpoints:Admin:Url=http://0.0.0.0:{endpoints.Admin}", "--Relay:Admin:Token=t0ken"], endpoints);

        Assert.True(await relay.LogContainsAsync("(any address, token required)"), $"The summary did not show the admin endpoint.\n{relay.Describe()}");
        Assert.False(relay.HasExited);
        Assert.DoesNotContain("t0ken", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_Started_LogsOneSummaryWithTheUrlAnEncoderUses()
    {
        await using var rig = InteropRig.Create(output);

        var relay = await rig.StartRelayAsync([("a", "rtmp://127.0.0.1:1/live/{stream}_a?key=secret"), ("b", "rtmp://127.0.0.1:1/other/KEYKEYKEY")],
            RelayPublishTests.RelayLogging);

        Assert.True(await relay.LogContainsAsync("Application started"), $"The relay did not start.\n{relay.Describe()}");
        var summary = Assert.Single(relay.ParseLog().Entries, e => e.Category == "RtmpRelay.Hosting.StartupSummary");
        output.WriteLine(summary.ToString());
        Assert.Equal("info", summary.Level);
        Assert.Contains($"rtmp://127.0.0.1:{relay.Port} (Rtmp); RTMPE on the rtmp port", summary.Message, StringComparison.Ordinal);
        Assert.Contains($"In OBS: Server: rtmp://127.0.0.1:{relay.Port}/live   Stream key: <your key>", summary.Message, StringComparison.Ordinal);
        Assert.Contains("a: rtmp://127.0.0.1:1/live/{stream}_a?****", summary.Message, StringComparison.Ordinal);
        Assert.Contains("b: rtmp://127.0.0.1:1/other/KE****", summary.Message, StringComparison.Ordinal);
        Assert.Contains($"Admin: http://127.0.0.1:{relay.Endpoints.Admin}", summary.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", relay.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("KEYKEYKEY", relay.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(relay.ParseLog().Entries, e => e.Level == "info" && e.Message.StartsWith("Now listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Relay_FiftyConnectionsThatCloseAtOnce_LogNoWarning()
    {
        const int connections = 50;
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmps: true));
        var before = relay.LogCount("Connection closed") + relay.LogCount("Dropped on the TLS endpoint");
        var startUp = relay.ParseLog().Entries.Count; // the start's own lines (a warning about the development certificate)

        foreach (var port in new[] { relay.Port, relay.Endpoints.Rtmps!.Value })
        {
            for (var i = 0; i < connections; i++)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            }
        }

        // Each connection's end is logged (at Debug): wait for all of them before looking for warnings.
        var clock = Stopwatch.StartNew();
        while (relay.LogCount("Connection closed") + relay.LogCount("Dropped on the TLS endpoint") < before + 2 * connections && clock.Elapsed < TimeSpan.FromSeconds(9))
        {
            await Task.Delay(100);
        }
        var log = relay.ParseLog().Entries.Skip(startUp).ToList();
        Assert.True(relay.LogCount("Connection closed") + relay.LogCount("Dropped on the TLS endpoint") >= before + 2 * connections,
            $"The relay did not log the end of every connection.\n{relay.Describe()}");
        Assert.DoesNotContain(log, e => e.Level is "warn" or "fail" or "crit");
        Assert.All(log.Where(e => e.Message.Contains("Connection closed", StringComparison.Ordinal) ||
            e.Message.Contains("Dropped on the TLS endpoint", StringComparison.Ordinal)), e => Assert.Equal("dbug", e.Level));
    }

    private static IReadOnlyList<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Starts the relay as <see cref="RelayProcess.StartAsync"/> does (same arguments and environment), but without
    /// waiting for its ports: it is expected to exit. Returns the process, its exit code and how long it ran.
    /// </summary>
    private static async Task<(ManagedProcess Relay, int ExitCode, TimeSpan Elapsed)> RunUntilExitAsync(
        InteropRig rig, RelayEndpoints endpoints, IEnumerable<string> extraArguments)
    {
        var directory = Path.Combine(rig.WorkDirectory, "relay");
        Directory.CreateDirectory(directory);
        var environment = new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("Relay__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase))
            {
                environment[key] = null;
            }
        }
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : PeerBinaries.Require("dotnet", "the .NET 10 SDK");
        var clock = Stopwatch.StartNew();
        var (program, arguments) = RepoLayout.RelayCommand(dotnet, RelayProcess.Arguments(endpoints, [], extraArguments));
        var relay = ManagedProcess.Start("relay", program, arguments, directory,
            Path.Combine(directory, "relay.log"), environment);
        rig.Own(relay, () => relay.Describe());
        var code = await relay.WaitForExitCodeAsync(TimeSpan.FromSeconds(30));
        var elapsed = clock.Elapsed;
        rig.Log($"relay exited with {code} after {elapsed.TotalSeconds:0.0} s; stderr:\n{relay.StandardError}");
        return (relay, code, elapsed);
    }
}
