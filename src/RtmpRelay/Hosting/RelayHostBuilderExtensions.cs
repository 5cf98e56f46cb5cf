using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel;
using Microsoft.Extensions.Options;
using RtmpRelay.Admin;
using RtmpRelay.Authorization;
using RtmpRelay.Core;
using RtmpRelay.Destinations;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Server;
using RtmpRelay.Streams;
using RtmpRelay.Transports.Rtmpt;
using RtmpRelay.Transports.Tcp;
using RtmpRelay.Transports.Tls;

namespace RtmpRelay.Hosting;

internal static partial class RelayHostBuilderExtensions
{
    /// <summary>Kestrel endpoint names the relay attaches its handlers to.</summary>
    public const string RtmpEndpoint = "Rtmp";
    public const string RtmpsEndpoint = "Rtmps";

    /// <summary>A folder of secrets as files (key-per-file), set by environment variable or command line.</summary>
    public const string SecretsDirectoryKey = "Relay:SecretsDirectory";

    /// <summary>The file whose presence next to the assembly marks a published (installed) build.</summary>
    private const string SettingsFile = "appsettings.json";

    /// <summary>
    /// The host's options: a published build has its own folder as content root, whatever the working directory; a
    /// build of a clone (<c>dotnet run</c>, which starts in the repository root) keeps the working directory. An explicit
    /// contentRoot (--contentRoot, DOTNET_CONTENTROOT, ASPNETCORE_CONTENTROOT) always wins, e.g. /etc/rtmp-relay.
    /// </summary>
    public static WebApplicationOptions CreateOptions(string[] args)
    {
        var explicitRoot = new ConfigurationBuilder().AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args).Build()[WebHostDefaults.ContentRootKey];
        var ownFolder = string.IsNullOrEmpty(explicitRoot) && IsPublishedBuild;
        return new WebApplicationOptions { Args = args, ContentRootPath = ownFolder ? AppContext.BaseDirectory : null };
    }

    /// <summary>
    /// Whether this is a published build (<c>dotnet publish</c> puts appsettings.json beside the assembly; a build
    /// of a clone has it in the repository root): the container image, the systemd unit, a copy on a server. It never
    /// creates the development certificate.
    /// </summary>
    public static bool IsPublishedBuild => File.Exists(Path.Combine(AppContext.BaseDirectory, SettingsFile));

    /// <summary>
    /// Serves the relay's HTTP side: RTMPT on the HTTP endpoints (Rtmpt, Rtmpts), and every other request through YARP
    /// (the "ReverseProxy" section; 404 when it has no routes).
    /// </summary>
    public static WebApplication MapRtmpRelay(this WebApplication app)
    {
        // The Admin endpoint's requests take their own pipeline; routing for the others comes after that branch.
        app.MapWhen(AdminEndpoints.IsAdminRequest, admin => admin.UseRelayAdmin());
        app.UseRouting();
        app.MapRtmpt();
        app.MapReverseProxy();
        return app;
    }

    /// <summary>
    /// Adds the relay: options from "Relay", the stream registry, destinations, and the RTMP connection handler on the
    /// Kestrel endpoints "Rtmp" (default rtmp://0.0.0.0:1935) and "Rtmps" (TLS by Kestrel in front of the same handler).
    /// Kestrel's own configuration section drives the endpoints, so addresses and certificates are set like any
    /// ASP.NET Core endpoint's (appsettings, environment, command line), and certificate files are reloaded on change.
    /// </summary>
    public static WebApplicationBuilder AddRtmpRelay(this WebApplicationBuilder builder)
    {
        // Lowest precedence: every configuration source the host reads overrides these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [$"Kestrel:Endpoints:{RtmpEndpoint}:Url"] = "rtmp://0.0.0.0:1935",
                [$"Kestrel:Endpoints:{AdminEndpoints.EndpointName}:Url"] = AdminEndpoints.DefaultUrl,
            },
        });

        // Secrets as files (a Kubernetes Secret mounted as a volume): one file per key, named like the key with "__"
        // for ":", e.g. Relay__Applications__live__Publish__Keys__obs. Read after every other source, reloaded on change.
        if (builder.Configuration[SecretsDirectoryKey] is { Length: > 0 } secrets)
        {
            builder.Configuration.AddKeyPerFile(Path.GetFullPath(secrets, builder.Environment.ContentRootPath), optional: false, reloadOnChange: true);
        }

        // Any TLS endpoint (Rtmps, Rtmpts ...) configured with the development certificate gets it created if missing,
        // except by a published build (the image, the systemd unit: read-only, and no place for a self-signed
        // certificate) outside Development: there such an endpoint is left out, with one warning at start.
        var certificateCreated = false;
        var mayCreateCertificate = builder.Environment.IsDevelopment() || !IsPublishedBuild;
        List<(string Name, string Url)> leftOut = [];
        foreach (var endpoint in builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (mayCreateCertificate)
            {
                certificateCreated |= DevelopmentCertificate.EnsureExists(builder.Environment.ContentRootPath,
                    endpoint["Certificate:Path"], endpoint["Certificate:KeyPath"]);
            }
            else if (NeedsMissingDevelopmentCertificate(endpoint, builder.Environment.ContentRootPath))
            {
                leftOut.Add((endpoint.Key, endpoint["Url"] ?? ""));
            }
        }
        if (leftOut.Count > 0)
        {
            builder.Configuration.Sources.Add(new HiddenEndpointsSource(new HashSet<string>(leftOut.Select(e => e.Name), StringComparer.OrdinalIgnoreCase)));
        }

        AddRelayOptions(builder.Services, builder.Configuration.GetSection(RelayOptions.SectionName));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new StreamRegistry(services.GetRequiredService<TimeProvider>(), new QueueBudget(
            () => services.GetRequiredService<RelayConfiguration>().Current.Options.Limits.MaxQueuedBytes)));
        builder.Services.AddHostedService<UnobservedTaskExceptions>();
        builder.Services.AddSingleton<ConnectionLimiter>();
        builder.Services.AddSingleton<LimitRefusals>();
        builder.Services.AddSingleton<IDestinationDialer, NetworkDestinationDialer>();
        builder.Services.AddSingleton<DestinationManager>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DestinationManager>());
        builder.Services.AddHttpClient(StreamAuthorizer.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        builder.Services.AddSingleton<StreamAuthorizer>();
        builder.Services.AddRelayAdmin();
        builder.Services.AddSingleton<AuthFailureLimiter>();
        builder.Services.AddSingleton<RtmpConnectionHandler>();
        builder.Services.AddSingleton<RtmptSessionStore>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RtmptSessionStore>());
        builder.Services.AddSingleton<RtmptClusterForwarder>();
        builder.Services.AddSingleton<RtmptRequestHandler>();
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        // YARP registers Data Protection for session-affinity cookies, which the relay never uses. Its key ring is made at
        // start anyway, in memory when there is no writable home (the container image): its warnings about key storage
        // say nothing about the relay.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddHostedService(services => new StartupReport(
            services.GetRequiredService<ILogger<StartupReport>>(), certificateCreated));
        builder.Services.AddHostedService(services => new LeftOutEndpointsReport(
            services.GetRequiredService<ILogger<LeftOutEndpointsReport>>(), leftOut));
        // Registered last, so on SIGTERM it runs before every other service stops (see GracefulDrain).
        builder.Services.AddHostedService(services => new GracefulDrain(services.GetRequiredService<IServer>(),
            services.GetRequiredService<IOptions<HostOptions>>().Value, services.GetRequiredService<ILogger<GracefulDrain>>()));
        // Kestrel logs why a TLS handshake failed at Debug; keep that reason visible by default.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Https", LogLevel.Debug);

        // The RTMP path never blocks a thread, so socket completions may run it in place: one wake-up per packet
        // received instead of a hop to the thread pool (the profile's largest cost was switching threads).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        // Kestrel receives into these blocks: a socket read takes up to 32 KiB instead of 4 KiB (see ReceiveBlockPool).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ReceiveBlockPool.Factory>();
        // The RTMP endpoints read their sockets in place (see RtmpSocketTransport); registered after the socket
        // transport, so Kestrel asks it first.
        builder.Services.AddSingleton(services => new RtmpSocketTransport(services.GetRequiredService<IMemoryPoolFactory<byte>>().Create()));
        builder.Services.AddSingleton<IConnectionListenerFactory>(services => services.GetRequiredService<RtmpSocketTransport>());
        builder.WebHost.ConfigureKestrel((context, kestrel) => HttpLimits.Apply(kestrel, context.Configuration));
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Configure(EndpointSchemes.MapForKestrel(context.Configuration.GetSection("Kestrel")), reloadOnChange: true)
                .Endpoint(RtmpEndpoint, endpoint => UseRtmp(endpoint, kestrel.ApplicationServices))
                .Endpoint(RtmpsEndpoint, endpoint => UseRtmp(endpoint, kestrel.ApplicationServices))
                .Endpoint(AdminEndpoints.EndpointName, endpoint => AdminEndpoints.MarkAdminConnections(endpoint.ListenOptions)));
        return builder;
    }

    /// <summary>
    /// The "Relay" section, re-bound on every change of the configuration files. A value that does not bind (text for
    /// a number) is recorded, not thrown, so validation reports it and a bad edit never takes the running relay down;
    /// <see cref="RelayConfiguration"/> turns each valid version into a snapshot and validates the first at start-up.
    /// </summary>
    private static void AddRelayOptions(IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<RelayOptions>().Configure(options =>
        {
            try
            {
                section.Bind(options);
            }
            catch (InvalidOperationException ex)
            {
                options.BindingError = ex.Message;
            }
        });
        services.AddSingleton<IOptionsChangeTokenSource<RelayOptions>>(new ConfigurationChangeTokenSource<RelayOptions>(section));
        services.AddSingleton<RelayConfiguration>();
        // Resolved at start-up, so an invalid first configuration stops the relay with its errors.
        services.AddHostedService(services => new StartupValidation(services.GetRequiredService<RelayConfiguration>(),
            services.GetRequiredService<ILogger<RelayConfiguration>>()));
    }

    /// <summary>
    /// Has the configuration built (and the first snapshot validated) when the host starts, and warns about every
    /// application that would relay anyone's stream to its destinations.
    /// </summary>
    private sealed class StartupValidation(RelayConfiguration configuration, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var snapshot = configuration.Current;
            foreach (var (app, application) in snapshot.Options.Applications)
            {
                var destinations = snapshot.DestinationsOf(app).Length;
                if (destinations > 0 && application.AllowPublish && snapshot.PublishPolicyOf(app).IsOpen)
                {
                    AuthLog.OpenRelay(logger, app, destinations);
                }
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// On SIGTERM (or any stop), before the destinations and RTMPT sessions stop: Kestrel stops accepting at once and
    /// asks its connections to close, and publishers and players go on until they end or the drain time is over (the
    /// host's ShutdownTimeout, key shutdownTimeoutSeconds, minus a quarter, at most 5 s, kept for the destinations to
    /// unpublish cleanly); then the rest are closed, and each stream's destinations get FCUnpublish and deleteStream.
    /// Without it the destinations would be stopped first, while their publishers still stream.
    /// </summary>
    private sealed class GracefulDrain(IServer server, HostOptions host, ILogger logger) : IHostedLifecycleService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            var reserve = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, host.ShutdownTimeout.Ticks / 4));
            var drainTime = host.ShutdownTimeout - reserve;
            Draining(logger, drainTime.TotalSeconds);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            drain.CancelAfter(drainTime);
            await server.StopAsync(drain.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Drained(logger, clock.Elapsed.TotalSeconds, drain.IsCancellationRequested ? "the drain time ran out, the remaining connections were closed" : "every connection ended");
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    // Event ids 1100-1199: the relay's own lifecycle (drain, endpoints left out).
    [LoggerMessage(1100, LogLevel.Information, "Stopping: no new connections; publishers and players have {Seconds:0.#} s to finish (shutdownTimeoutSeconds less a reserve for the destinations)")]
    private static partial void Draining(ILogger logger, double seconds);

    [LoggerMessage(1101, LogLevel.Information, "Connections drained after {Seconds:0.#} s: {Outcome}")]
    private static partial void Drained(ILogger logger, double seconds, string outcome);

    [LoggerMessage(1102, LogLevel.Warning, "TLS endpoints left out: {Endpoints}. They name the development certificate (certs/dev-cert.pem), which a published build does not create: give each a real certificate (Kestrel:Endpoints:NAME:Certificate:Path and :KeyPath) or remove it")]
    private static partial void EndpointsLeftOut(ILogger logger, string endpoints);

    /// <summary>Says once, at start, which TLS endpoints were left out for want of a certificate.</summary>
    private sealed class LeftOutEndpointsReport(ILogger logger, IReadOnlyList<(string Name, string Url)> leftOut) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (leftOut.Count > 0)
            {
                EndpointsLeftOut(logger, string.Join(", ", leftOut.Select(e => $"{e.Name} ({e.Url})")));
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// A TLS endpoint whose certificate is the development one, at its default paths, and missing: what a fresh clone
    /// creates, and a published build does not.
    /// </summary>
    private static bool NeedsMissingDevelopmentCertificate(IConfigurationSection endpoint, string contentRoot)
    {
        static bool IsDefault(string? configured, string expected) =>
            configured is not null && configured.Replace('\\', '/').TrimStart('.', '/') == expected;
        var url = endpoint["Url"] ?? "";
        var tls = url.StartsWith("rtmps://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("rtmpts://", StringComparison.OrdinalIgnoreCase) ||
            url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        return tls && IsDefault(endpoint["Certificate:Path"], DevelopmentCertificate.DefaultCertificatePath) &&
            IsDefault(endpoint["Certificate:KeyPath"], DevelopmentCertificate.DefaultKeyPath) &&
            !(File.Exists(Path.Combine(contentRoot, DevelopmentCertificate.DefaultCertificatePath)) &&
              File.Exists(Path.Combine(contentRoot, DevelopmentCertificate.DefaultKeyPath)));
    }

    /// <summary>
    /// The last configuration source: hides the named endpoints of Kestrel:Endpoints from every reader (Kestrel, the
    /// start-up checks and summary), as if they were not configured.
    /// </summary>
    private sealed class HiddenEndpointsSource(HashSet<string> names) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(names);

        private sealed class Provider(HashSet<string> names) : ConfigurationProvider
        {
            private const string Endpoints = "Kestrel:Endpoints";

            public override bool TryGet(string key, out string? value)
            {
                value = null;
                var parts = key.Split(':');
                return parts.Length >= 3 && $"{parts[0]}:{parts[1]}".Equals(Endpoints, StringComparison.OrdinalIgnoreCase) &&
                    names.Contains(parts[2]);
            }

            public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) =>
                Endpoints.Equals(parentPath, StringComparison.OrdinalIgnoreCase) ? earlierKeys.Where(k => !names.Contains(k)) : earlierKeys;
        }
    }

    private static void UseRtmp(EndpointConfiguration endpoint, IServiceProvider services)
    {
        services.GetRequiredService<RtmpSocketTransport>().Claim(endpoint.ListenOptions.EndPoint);
        if (endpoint.IsHttps)
        {
            // Kestrel would add TLS after this callback, behind the handler; put it in front explicitly.
            var limits = services.GetRequiredService<RelayConfiguration>().Current.Options.Limits;
            var https = endpoint.HttpsOptions;
            if (https.SslProtocols == SslProtocols.None)
            {
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            }
            https.HandshakeTimeout = limits.HandshakeTimeout;
            var logger = services.GetRequiredService<ILogger<TlsSniffingMiddleware>>();
            var time = services.GetRequiredService<TimeProvider>();
            endpoint.ListenOptions.Use(next => new TlsSniffingMiddleware(next, limits.HandshakeTimeout, time, logger).OnConnectionAsync);
            endpoint.ListenOptions.UseHttps(https);
        }
        if (!endpoint.ConfigSection.GetValue("AllowRtmpe", true))
        {
            endpoint.ListenOptions.Use(next => context =>
            {
                context.Items[RtmpConnectionHandler.RtmpeRefusedKey] = true;
                return next(context);
            });
        }
        endpoint.ListenOptions.UseConnectionHandler<RtmpConnectionHandler>();
    }
}
