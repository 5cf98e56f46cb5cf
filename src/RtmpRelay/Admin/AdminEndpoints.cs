using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using RtmpRelay.Options;
using RtmpRelay.Streams;

namespace RtmpRelay.Admin;

/// <summary>
/// The admin surface on Kestrel's "Admin" endpoint (default http://127.0.0.1:1985): the streams API, pause/resume and
/// kick, Prometheus metrics, health, and the status page. Requests on the RTMPT ports never reach it.
/// </summary>
internal static class AdminEndpoints
{
    public const string EndpointName = "Admin";
    public const string DefaultUrl = "http://127.0.0.1:1985";

    /// <summary>Set on connections of the Admin endpoint (connection middleware), so HTTP requests can be told apart.</summary>
    private const string AdminConnectionKey = "RtmpRelay.Admin";

    private const string ReadyTag = "ready";

    public static void AddRelayAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminView>();
        services.AddSingleton<RelayMetrics>();
        services.AddHealthChecks()
            .AddCheck("alive", () => HealthCheckResult.Healthy())
            .AddCheck<ReadinessCheck>("listening and configured", tags: [ReadyTag]);
    }

    /// <summary>Marks the Admin endpoint's connections (called from its Kestrel endpoint configuration).</summary>
    public static void MarkAdminConnections(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen) =>
        listen.Use(next => context =>
        {
            context.Items[AdminConnectionKey] = true;
            return next(context);
        });

    /// <summary>An admin request: on the Admin endpoint, or on a server without connections of its own (the test server).</summary>
    public static bool IsAdminRequest(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>() is not { } items || items.Items.ContainsKey(AdminConnectionKey);

    /// <summary>The admin pipeline: token check, then the endpoints.</summary>
    public static void UseRelayAdmin(this IApplicationBuilder admin)
    {
        var services = admin.ApplicationServices;
        services.GetRequiredService<RelayMetrics>(); // registers its scrape callback
        services.GetRequiredService<AdminView>().StartSampling();
        admin.UseRouting();
        admin.Use(RequireToken);
        admin.UseEndpoints(endpoints =>
        {
            endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => !check.Tags.Contains(ReadyTag) });
            endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
            endpoints.MapMetrics("/metrics");
            endpoints.MapGet("/", ServeStatusPage);
            var api = endpoints.MapGroup("/api/v1/streams");
            api.MapGet("", (AdminView view) => Results.Json(view.Streams(), AdminJson.Default.StreamsView));
            api.MapGet("/{app}/{stream}", (string app, string stream, AdminView view) =>
                view.Stream(app, stream) is { } found ? Results.Json(found, AdminJson.Default.StreamView) : NotFound($"no live stream {app}/{stream}"));
            api.MapPost("/{app}/{stream}/destinations/{name}/pause", (string app, string stream, string name, AdminView view, ILogger<AdminView> logger) =>
                Act(view, logger, app, stream, name, pause: true));
            api.MapPost("/{app}/{stream}/destinations/{name}/resume", (string app, string stream, string name, AdminView view, ILogger<AdminView> logger) =>
                Act(view, logger, app, stream, name, pause: false));
            api.MapPost("/{app}/{stream}/kick", (string app, string stream, StreamRegistry registry, ILogger<AdminView> logger) =>
            {
                if (!registry.TryGet(new StreamKey(app, stream), out var live))
                {
                    return NotFound($"no live stream {app}/{stream}");
                }
                // Ended first, so the publisher leaving does not start a reconnect grace.
                var publisher = live.Publisher;
                registry.Unpublish(live);
                publisher?.Disconnect("kicked through the admin API");
                Logging.AdminLog.Kicked(logger, live.Key.ToString());
                return Results.NoContent();
            });
        });
    }

    private static IResult Act(AdminView view, ILogger logger, string app, string stream, string name, bool pause)
    {
        if (view.Destination(app, stream, name) is not { } destination)
        {
            return NotFound($"no destination {name} on {app}/{stream}");
        }
        Logging.AdminLog.DestinationAction(logger, $"{app}/{stream}", destination.Spec.Name, pause ? "Paused" : "Resumed");
        if (pause)
        {
            destination.Pause();
        }
        else
        {
            destination.Resume();
        }
        return Results.Accepted();
    }

    private static IResult NotFound(string error) => Results.Json(new ProblemView(error), AdminJson.Default.ProblemView, statusCode: StatusCodes.Status404NotFound);

    private static IResult ServeStatusPage()
    {
        var page = typeof(AdminEndpoints).Assembly.GetManifestResourceStream("RtmpRelay.Admin.StatusPage.html");
        return page is null ? Results.NotFound() : Results.Stream(page, "text/html; charset=utf-8");
    }

    /// <summary>
    /// With Relay:Admin:Token set, the API and metrics need "Authorization: Bearer &lt;token&gt;" (compared in constant
    /// time); health checks and the page itself (which holds no data, and asks for the token) stay open.
    /// </summary>
    private static async Task RequireToken(HttpContext context, Func<Task> next)
    {
        var token = context.RequestServices.GetRequiredService<RelayConfiguration>().Current.Options.Admin.Token;
        var path = context.Request.Path;
        var open = path == "/" || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
        if (string.IsNullOrEmpty(token) || open || Matches(context.Request.Headers.Authorization.ToString(), token))
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
    }

    private static bool Matches(string header, string token)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Ready once the server listens and until it stops; the configuration in effect is valid by construction.</summary>
    private sealed class ReadinessCheck(IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
                ? HealthCheckResult.Healthy("listening, configuration valid")
                : HealthCheckResult.Unhealthy(lifetime.ApplicationStopping.IsCancellationRequested ? "stopping" : "starting"));
    }
}
