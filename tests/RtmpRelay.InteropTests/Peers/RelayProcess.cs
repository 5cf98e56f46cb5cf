using System.Text.Json;
using System.Text.Json.Nodes;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// The relay under test as a separate process: <c>dotnet src/RtmpRelay/bin/&lt;Configuration&gt;/net10.0/RtmpRelay.dll</c>
/// in a temporary working folder (so the repository's appsettings.json is not read), configured through ASP.NET Core
/// command-line arguments: one plain RTMP endpoint on a free 127.0.0.1 port (plus the RTMPS, RTMPT and RTMPTS
/// endpoints a test asks for, see <see cref="RelayEndpoints"/>), application "live", and the destinations the test
/// names. A test that reconfigures the relay while it runs also gives it <see cref="SettingsFileName"/> in that
/// folder (its content root), which the relay reloads on change; command-line arguments override it. Its output is
/// captured in memory and in NAME.log.
/// </summary>
internal sealed class RelayProcess : IDisposable
{
    public const string Application = "live";

    /// <summary>
    /// The relay's hosting environment: <see cref="StartAsync"/> removes DOTNET_ENVIRONMENT and ASPNETCORE_* from its
    /// environment, so it is ASP.NET Core's default.
    /// </summary>
    public const string EnvironmentName = "Production";

    /// <summary>The environment's settings file, appsettings.Production.json, in the relay's working folder (its content root).</summary>
    public const string SettingsFileName = "appsettings." + EnvironmentName + ".json";

    private readonly ManagedProcess _process;

    private RelayProcess(string name, RelayEndpoints endpoints, string workDirectory, ManagedProcess process)
    {
        Name = name;
        Endpoints = endpoints;
        WorkDirectory = workDirectory;
        _process = process;
    }

    /// <summary>"relay", or the name a test gave it when it runs several.</summary>
    public string Name { get; }

    /// <summary>The plain RTMP port (also RTMPE).</summary>
    public int Port => Endpoints.Rtmp;

    /// <summary>Every endpoint the relay listens on.</summary>
    public RelayEndpoints Endpoints { get; }

    public string WorkDirectory { get; }

    public string LogPath => Path.Combine(WorkDirectory, Name + ".log");

    /// <summary>The settings file the relay reloads on change (see <see cref="WriteSettings"/>).</summary>
    public string SettingsPath => Path.Combine(WorkDirectory, SettingsFileName);

    /// <summary>The development certificate the relay created for its TLS endpoints (PEM).</summary>
    public string CertificatePath => Path.Combine(WorkDirectory, RelayEndpoints.DevCertificatePath);

    /// <summary>http://127.0.0.1:RTMPTPORT/, the base address of the RTMPT endpoint.</summary>
    public Uri RtmptBaseAddress => new($"http://127.0.0.1:{Endpoints.PortFor("rtmpt")}/");

    /// <summary>Everything the relay wrote to stdout and stderr so far.</summary>
    public string Log => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Whether the relay's output holds <paramref name="text"/>, waiting (bounded, 5 s) for it: a line logged as a reply
    /// goes out may reach the captured output a moment after the reply reached the test.
    /// </summary>
    public Task<bool> LogContainsAsync(string text) => LogContainsAsync(text, 1);

    /// <summary>
    /// Whether the relay's output holds <paramref name="text"/> at least <paramref name="times"/> times, waiting (bounded,
    /// 5 s) for it, as <see cref="LogContainsAsync(string)"/> does for once.
    /// </summary>
    public async Task<bool> LogContainsAsync(string text, int times)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (LogCount(text) < times)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>How many times the relay's output so far holds <paramref name="text"/>.</summary>
    public int LogCount(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var log = Log;
        var count = 0;
        for (var at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    /// <summary>The log so far, parsed into entries (see <see cref="RelayLog"/>).</summary>
    public RelayLog ParseLog() => RelayLog.Parse(Log);

    /// <summary>rtmp://127.0.0.1:PORT/live/STREAM, to publish to or play from.</summary>
    public string Url(string streamName) => $"rtmp://127.0.0.1:{Port}/{Application}/{streamName}";

    /// <summary>
    /// SCHEME://127.0.0.1:PORT/live/STREAM with the port of the endpoint that serves <paramref name="scheme"/>
    /// (rtmp, rtmpe, rtmps, rtmpt, rtmpte, rtmpts).
    /// </summary>
    public string Url(string scheme, string streamName) => $"{scheme}://127.0.0.1:{Endpoints.PortFor(scheme)}/{Application}/{streamName}";

    /// <summary>
    /// A destination URL on <paramref name="nginx"/> for destination <paramref name="destinationName"/>:
    /// rtmp://127.0.0.1:NGINXPORT/live/{stream}_NAME, so publishing "s" records s_NAME.flv there.
    /// </summary>
    public static string DestinationUrl(NginxRtmp nginx, string destinationName) =>
        $"rtmp://127.0.0.1:{nginx.Port}/live/{{stream}}_{destinationName}";

    /// <summary>The stream name stream <paramref name="streamName"/> gets at destination <paramref name="destinationName"/>.</summary>
    public static string DestinationStream(string streamName, string destinationName) => $"{streamName}_{destinationName}";

    /// <summary>
    /// Settings JSON that gives application live exactly these destinations, e.g.
    /// <c>{"Relay":{"Applications":{"live":{"Destinations":{"b":{"Url":"rtmp://..."}}}}}}</c>; none gives <c>{}</c>.
    /// </summary>
    public static string DestinationSettings(IEnumerable<(string Name, string Url)> destinations)
    {
        var list = destinations.ToList();
        if (list.Count == 0)
        {
            return "{}";
        }

        var byName = new JsonObject();
        foreach (var (name, url) in list)
        {
            byName[name] = new JsonObject { ["Url"] = url };
        }

        var root = new JsonObject
        {
            ["Relay"] = new JsonObject
            {
                ["Applications"] = new JsonObject { [Application] = new JsonObject { ["Destinations"] = byName } },
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The command-line arguments for a relay on <paramref name="port"/> with these destinations and extra arguments.</summary>
    public static IReadOnlyList<string> Arguments(int port, IEnumerable<(string Name, string Url)> destinations, IEnumerable<string> extraArguments) =>
        Arguments(new RelayEndpoints(port), destinations, extraArguments);

    /// <summary>The command-line arguments for a relay on <paramref name="endpoints"/> with these destinations and extra arguments.</summary>
    public static IReadOnlyList<string> Arguments(RelayEndpoints endpoints, IEnumerable<(string Name, string Url)> destinations, IEnumerable<string> extraArguments)
    {
        var args = new List<string>(endpoints.Arguments())
        {
            $"--Relay:Applications:{Application}:AllowPublish=true",
            $"--Relay:Applications:{Application}:AllowPlay=true",
            // Timestamps on the console log lines, to line the relay's log up with the peers' and to time what it did
            // (extra arguments can override). FormatterOptions only apply when a formatter is named: without
            // FormatterName the console logger takes its options from its own obsolete properties and prints no time.
            "--Logging:Console:FormatterName=simple",
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
    /// Starts the relay in a new folder <paramref name="name"/> under <paramref name="workDirectory"/> and waits
    /// (bounded, 20 s) until each of its ports accepts a TCP connection; fails with the relay's output when one does not.
    /// <paramref name="endpoints"/> defaults to plain RTMP on a free port. With <paramref name="settings"/>, that JSON
    /// is written to <see cref="SettingsFileName"/> in the folder before the relay starts.
    /// </summary>
    public static async Task<RelayProcess> StartAsync(
        string workDirectory,
        IEnumerable<(string Name, string Url)> destinations,
        IEnumerable<string>? extraArguments = null,
        RelayEndpoints? endpoints = null,
        string name = "relay",
        string? settings = null)
    {
        var dll = RepoLayout.RelayBinary ?? RepoLayout.RelayDll;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"The relay is not built at {dll} (configuration {RepoLayout.Configuration}). Build it: dotnet build tests/RtmpRelay.InteropTests -c {RepoLayout.Configuration}");
        }

        var dotnet = DotnetHost();
        var relayDirectory = Path.Combine(workDirectory, name);
        Directory.CreateDirectory(relayDirectory);
        if (settings is not null)
        {
            WriteSettingsFile(Path.Combine(relayDirectory, SettingsFileName), settings);
        }

        endpoints ??= RelayEndpoints.Allocate();
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        // Configured by the arguments (and a settings file the test writes) alone: no relay, Kestrel or URL settings
        // leak in from the test host's environment.
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
        var (program, arguments) = RepoLayout.RelayCommand(dotnet, Arguments(endpoints, destinations, extraArguments ?? []));
        var process = ManagedProcess.Start(
            name,
            program,
            arguments,
            relayDirectory,
            Path.Combine(relayDirectory, name + ".log"),
            environment);

        // Kestrel binds every endpoint before it starts, so after the first port the others answer at once.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var who = name == "relay" ? "The relay" : $"The relay {name}";
        foreach (var port in endpoints.Ports)
        {
            var left = TimeSpan.FromSeconds(20) - clock.Elapsed;
            if (!await TcpProbe.WaitUntilAcceptingAsync(port, left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1), () => process.HasExited))
            {
                var why = process.HasExited
                    ? $"{who} exited (code {process.ExitCode}) before accepting TCP connections on 127.0.0.1:{port}."
                    : $"{who} did not accept TCP connections on 127.0.0.1:{port} within 20 s.";
                process.Dispose();
                throw new InvalidOperationException($"{why}\n{process.Describe()}");
            }
        }

        return new RelayProcess(name, endpoints, relayDirectory, process);
    }

    /// <summary>
    /// Replaces <see cref="SettingsFileName"/> with <paramref name="json"/> in one step (written beside it, then renamed
    /// over it), so the relay's reload never reads a half-written file.
    /// </summary>
    public void WriteSettings(string json) => WriteSettingsFile(SettingsPath, json);

    /// <summary>Name, state and the tail of the relay's log, for failure messages and test output.</summary>
    public string Describe(int maxLines = 300) => _process.Describe(maxLines);

    public void Dispose() => _process.Dispose();

    private static void WriteSettingsFile(string path, string json)
    {
        _ = JsonNode.Parse(json); // a test's typo fails here, not as a reload error in the relay
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, path, overwrite: true);
    }

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
