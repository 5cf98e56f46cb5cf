using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using RtmpRelay.Destinations;
using RtmpRelay.Options;
using RtmpRelay.Server;
using RtmpRelay.Streams;

namespace RtmpRelay.Hosting;

internal static class RelayHostBuilderExtensions
{
    /// <summary>Kestrel endpoint names the relay attaches its handlers to.</summary>
    public const string RtmpEndpoint = "Rtmp";

    /// <summary>
    /// Adds the relay: options from "Relay", the stream registry, destinations, and the RTMP connection handler on the
    /// Kestrel endpoint "Rtmp" (default rtmp://0.0.0.0:1935). Kestrel's own configuration section drives the endpoints,
    /// so addresses can be changed like any ASP.NET Core endpoint (appsettings, environment, command line).
    /// </summary>
    public static WebApplicationBuilder AddRtmpRelay(this WebApplicationBuilder builder)
    {
        // Lowest precedence: every configuration source the host reads overrides these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { [$"Kestrel:Endpoints:{RtmpEndpoint}:Url"] = "rtmp://0.0.0.0:1935" },
        });

        builder.Services.AddOptions<RelayOptions>().Bind(builder.Configuration.GetSection(RelayOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StreamRegistry>();
        builder.Services.AddHostedService<DestinationManager>();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Configure(EndpointSchemes.MapForKestrel(context.Configuration.GetSection("Kestrel")), reloadOnChange: true)
                .Endpoint(RtmpEndpoint, endpoint => endpoint.ListenOptions.UseConnectionHandler<RtmpConnectionHandler>()));
        return builder;
    }
}
