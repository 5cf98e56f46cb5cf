using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
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
using RtmpRelay.Transports.Tls;

namespace RtmpRelay.Hosting;

internal static class RelayHostBuilderExtensions
{
    /// <summary>Kestrel endpoint names the relay attaches its handlers to.</summary>
    public const string RtmpEndpoint = "Rtmp";
    public const string RtmpsEndpoint = "Rtmps";

    /// <summary>A folder of secrets as files (key-per-file), set by environment variable or command line.</summary>
    public const string SecretsDirectoryKey = "Relay:SecretsDirectory";

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

        // Any TLS endpoint (Rtmps, Rtmpts ...) configured with the development certificate gets it created if missing.
        var certificateCreated = false;
        foreach (var endpoint in builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            certificateCreated |= DevelopmentCertificate.EnsureExists(builder.Environment.ContentRootPath,
                endpoint["Certificate:Path"], endpoint["Certificate:KeyPath"]);
        }

        AddRelayOptions(builder.Services, builder.Configuration.GetSection(RelayOptions.SectionName));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new StreamRegistry(services.GetRequiredService<TimeProvider>(), new QueueBudget(
            () => services.GetRequiredService<RelayConfiguration>().Current.Options.Limits.MaxQueuedBytes)));
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
        builder.Services.AddHostedService(services => new StartupReport(
            services.GetRequiredService<ILogger<StartupReport>>(), certificateCreated));
        // Kestrel logs why a TLS handshake failed at Debug; keep that reason visible by default.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Https", LogLevel.Debug);

        // The RTMP path never blocks a thread, so socket completions may run it in place: one wake-up per packet
        // received instead of a hop to the thread pool (the profile's largest cost was switching threads).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
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

    private static void UseRtmp(EndpointConfiguration endpoint, IServiceProvider services)
    {
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
