using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RtmpRelay.Destinations;
using RtmpRelay.Options;

namespace RtmpRelay.Hosting;

/// <summary>
/// Logs one block at Information once Kestrel listens: the relay's version, each endpoint with the scheme and port a
/// client uses, for each application what to type into an encoder (OBS's Server and Stream key), its destinations
/// (stream keys and queries hidden) and the admin URL. It replaces Kestrel's "Now listening on: http://0.0.0.0:1935"
/// lines, which name the wrong scheme (see <see cref="StartupLoggerFactory"/>).
/// </summary>
internal sealed partial class StartupSummary : IHostedService
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IServer _server;
    private readonly IConfiguration _configuration;
    private readonly RelayConfiguration _relay;
    private readonly ILogger<StartupSummary> _logger;
    private CancellationTokenRegistration _started;

    public StartupSummary(IHostApplicationLifetime lifetime, IServer server, IConfiguration configuration, RelayConfiguration relay,
        ILogger<StartupSummary> logger)
    {
        _lifetime = lifetime;
        _server = server;
        _configuration = configuration;
        _relay = relay;
        _logger = logger;
    }

    /// <summary>The relay's version: its assembly's informational version (version+commit).</summary>
    public static string Version =>
        typeof(StartupSummary).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(StartupSummary).Assembly.GetName().Version?.ToString() ?? "(unknown version)";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = _lifetime.ApplicationStarted.Register(LogSummary);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return Task.CompletedTask;
    }

    private void LogSummary()
    {
        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var endpoints = StartupEndpoints.Bind(StartupEndpoints.Read(_configuration), addresses.ToList());
        var tokenSet = !string.IsNullOrWhiteSpace(_configuration[StartupErrors.AdminTokenKey]);
        Listening(_logger, Format(Version, endpoints, _relay.Current, System.Net.Dns.GetHostName(), tokenSet));
    }

    /// <summary>The summary's text (without the logger's header).</summary>
    public static string Format(string version, IReadOnlyList<StartupEndpoint> endpoints, RelaySnapshot snapshot, string machineName, bool adminTokenSet)
    {
        var text = new StringBuilder();
        var rtmpe = snapshot.Options.Rtmpe.Enabled;
        var clientEndpoints = endpoints.Where(e => e.Role != EndpointRole.Admin).OrderBy(e => Rank(e.Scheme)).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
        text.Append("RtmpRelay ").Append(version).Append(clientEndpoints.Count == 0 ? " is running, with no RTMP endpoint" : " is listening:");
        foreach (var endpoint in clientEndpoints)
        {
            text.Append("\n  ").Append(endpoint.Scheme).Append("://").Append(endpoint.DisplayAuthority(machineName))
                .Append(" (").Append(endpoint.Name).Append(endpoint.AnyAddress ? ", any address" : "").Append(')');
            // "AllowRtmpe": false applies to the RTMP handler's endpoints; RTMPTE follows Relay:Rtmpe:Enabled alone.
            if (rtmpe && endpoint.Scheme == "rtmp" && endpoint.AllowRtmpe)
            {
                text.Append("; RTMPE on the rtmp port");
            }
            else if (rtmpe && endpoint.Scheme == "rtmpt")
            {
                text.Append("; RTMPTE on the rtmpt port");
            }
        }

        // The encoder's Server: plain RTMP where there is one, as OBS's default; the other schemes after it.
        var ingest = clientEndpoints.FirstOrDefault();
        var applications = snapshot.Options.Applications.OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        if (applications.Count == 0)
        {
            text.Append("\nNo application is configured (Relay:Applications): every connect is rejected.");
        }
        foreach (var (app, application) in applications)
        {
            text.Append("\nApplication ").Append(app).Append(':');
            if (!application.AllowPublish)
            {
                text.Append("\n  Publishing is turned off (AllowPublish is false).");
            }
            else if (ingest is not null)
            {
                var key = application.Publish.Keys.Count > 0 ? "<name>?key=<your key>" : "<your key>";
                text.Append("\n  In OBS: Server: ").Append(ServerUrl(ingest, app, machineName)).Append("   Stream key: ").Append(key);
                var others = clientEndpoints.Skip(1).Select(e => ServerUrl(e, app, machineName)).ToList();
                if (others.Count > 0)
                {
                    text.Append("\n  (or Server: ").Append(string.Join(", ", others)).Append(')');
                }
            }
            var destinations = snapshot.DestinationsOf(app);
            if (destinations.IsEmpty)
            {
                text.Append("\n  Destinations: none (local players only)");
            }
            else
            {
                text.Append("\n  Destinations:");
                foreach (var destination in destinations.OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    text.Append("\n    ").Append(destination.Name).Append(": ").Append(DisplayDestination(destination.Url, app));
                    if (destination.BackupUrl is { } backup)
                    {
                        text.Append(" (backup ").Append(DisplayDestination(backup, app)).Append(')');
                    }
                }
            }
            var disabled = application.Destinations.Count(d => !d.Value.Enabled);
            if (disabled > 0)
            {
                text.Append("\n  (").Append(disabled).Append(disabled == 1 ? " destination is" : " destinations are").Append(" disabled)");
            }
        }

        if (endpoints.FirstOrDefault(e => e.Role == EndpointRole.Admin) is { } admin)
        {
            text.Append("\nAdmin: ").Append(admin.Scheme).Append("://").Append(admin.DisplayAuthority(machineName))
                .Append(admin.AnyAddress ? " (any address, " : " (").Append(adminTokenSet ? "token required)" : "no token)");
        }
        return text.ToString();
    }

    /// <summary>
    /// A destination URL template as it may be shown: {app} filled in, the query hidden, and the stream name (the key)
    /// hidden unless it is the {stream} template.
    /// </summary>
    public static string DisplayDestination(string template, string app)
    {
        var expanded = DestinationUrl.Expand(template, app, "{stream}");
        if (!DestinationUrl.TryParse(expanded, out var url, out _))
        {
            return StartupErrors.Redact(expanded);
        }
        var tcUrl = Authorization.StreamName.Redact(url.TcUrl);
        var question = url.StreamName.IndexOf('?');
        var name = question < 0 ? url.StreamName : url.StreamName[..question];
        if (name.Contains("{stream}", StringComparison.Ordinal))
        {
            return $"{tcUrl}/{name}{(question < 0 ? "" : "?****")}";
        }
        // The redacted form's stream part ("ab****"), after the tcUrl with its query hidden.
        var redacted = url.Redacted;
        return $"{tcUrl}/{redacted[(redacted.LastIndexOf('/') + 1)..]}";
    }

    private static string ServerUrl(StartupEndpoint endpoint, string app, string machineName) =>
        $"{endpoint.Scheme}://{endpoint.DisplayAuthority(machineName)}/{app}";

    private static int Rank(string scheme) => scheme switch
    {
        "rtmp" => 0,
        "rtmps" => 1,
        "rtmpt" => 2,
        _ => 3,
    };

    [LoggerMessage(300, LogLevel.Information, "{Summary}")]
    private static partial void Listening(ILogger logger, string summary);
}
