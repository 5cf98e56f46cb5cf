using System.Globalization;
using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// The relay under test as a separate process: <c>dotnet src/RtmpRelay/bin/&lt;Configuration&gt;/net10.0/RtmpRelay.dll</c>
/// in a temporary working folder (so the repository's appsettings.json is not read), configured only through
/// ASP.NET Core command-line arguments: one plain RTMP endpoint on a free 127.0.0.1 port, application "live", and the
/// destinations the test names. Its output is captured in memory and in relay.log.
/// </summary>
internal sealed class RelayProcess : IDisposable
{
    public const string Application = "live";

    private readonly ManagedProcess _process;

    private RelayProcess(int port, string workDirectory, ManagedProcess process)
    {
        Port = port;
        WorkDirectory = workDirectory;
        _process = process;
    }

    public int Port { get; }

    public string WorkDirectory { get; }

    public string LogPath => Path.Combine(WorkDirectory, "relay.log");

    /// <summary>Everything the relay wrote to stdout and stderr so far.</summary>
    public string Log => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>rtmp://127.0.0.1:PORT/live/STREAM, to publish to or play from.</summary>
    public string Url(string streamName) => $"rtmp://127.0.0.1:{Port}/{Application}/{streamName}";

    /// <summary>
    /// A destination URL on <paramref name="nginx"/> for destination <paramref name="destinationName"/>:
    /// rtmp://127.0.0.1:NGINXPORT/live/{stream}_NAME, so publishing "s" records s_NAME.flv there.
    /// </summary>
    public static string DestinationUrl(NginxRtmp nginx, string destinationName) =>
        $"rtmp://127.0.0.1:{nginx.Port}/live/{{stream}}_{destinationName}";

    /// <summary>The stream name stream <paramref name="streamName"/> gets at destination <paramref name="destinationName"/>.</summary>
    public static string DestinationStream(string streamName, string destinationName) => $"{streamName}_{destinationName}";

    /// <summary>The command-line arguments for a relay on <paramref name="port"/> with these destinations and extra arguments.</summary>
    public static IReadOnlyList<string> Arguments(int port, IEnumerable<(string Name, string Url)> destinations, IEnumerable<string> extraArguments)
    {
        var args = new List<string>
        {
            $"--Kestrel:Endpoints:Rtmp:Url=rtmp://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            $"--Relay:Applications:{Application}:AllowPublish=true",
            $"--Relay:Applications:{Application}:AllowPlay=true",
            // Timestamps on the console log lines, to line the relay's log up with the peers' (extra arguments can override).
            "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ",
        };
        foreach (var (name, url) in destinations)
        {
            args.Add($"--Relay:Applications:{Application}:Destinations:{name}:Url={url}");
        }

        args.AddRange(extraArguments);
        return args;
    }

    /// <summary>
    /// Starts the relay in a new folder under <paramref name="workDirectory"/> and waits (bounded, 20 s) until its RTMP
    /// port accepts a TCP connection; fails with the relay's output when it does not.
    /// </summary>
    public static async Task<RelayProcess> StartAsync(
        string workDirectory,
        IEnumerable<(string Name, string Url)> destinations,
        IEnumerable<string>? extraArguments = null)
    {
        var dll = RepoLayout.RelayDll;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"The relay is not built at {dll} (configuration {RepoLayout.Configuration}). Build it: dotnet build tests/RtmpRelay.InteropTests -c {RepoLayout.Configuration}");
        }

        var dotnet = DotnetHost();
        var relayDirectory = Path.Combine(workDirectory, "relay");
        Directory.CreateDirectory(relayDirectory);
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        // Configured by the arguments alone: no relay, Kestrel or URL settings leak in from the test host's environment.
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("Relay__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) ||
                key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase))
            {
                environment[key] = null;
            }
        }
        var process = ManagedProcess.Start(
            "relay",
            dotnet,
            [dll, .. Arguments(port, destinations, extraArguments ?? [])],
            relayDirectory,
            Path.Combine(relayDirectory, "relay.log"),
            environment);

        if (!await TcpProbe.WaitUntilAcceptingAsync(port, TimeSpan.FromSeconds(20), () => process.HasExited))
        {
            var why = process.HasExited
                ? $"The relay exited (code {process.ExitCode}) before accepting TCP connections on 127.0.0.1:{port}."
                : $"The relay did not accept TCP connections on 127.0.0.1:{port} within 20 s.";
            process.Dispose();
            throw new InvalidOperationException($"{why}\n{process.Describe()}");
        }

        return new RelayProcess(port, relayDirectory, process);
    }

    /// <summary>Name, state and the tail of the relay's log, for failure messages and test output.</summary>
    public string Describe(int maxLines = 300) => _process.Describe(maxLines);

    public void Dispose() => _process.Dispose();

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        return PeerBinaries.Require("dotnet", "the .NET 10 SDK");
    }
}
