namespace RtmpRelay.Hosting;

/// <summary>What the relay's process adds around the relay itself: how it reports its start, and its configuration errors.</summary>
internal static class StartupExtensions
{
    /// <summary>
    /// The start-up summary (<see cref="StartupSummary"/>) in place of Kestrel's "Now listening on" lines
    /// (<see cref="StartupLoggerFactory"/>).
    /// </summary>
    public static WebApplicationBuilder AddStartupSummary(this WebApplicationBuilder builder)
    {
        StartupLoggerFactory.Register(builder.Services);
        builder.Services.AddHostedService<StartupSummary>();
        return builder;
    }

    /// <summary>Writes each configuration error as one line on stderr; returns <see cref="StartupErrors.ExitCode"/>.</summary>
    public static int ReportConfigurationErrors(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Console.Error.WriteLine(line);
        }
        Console.Error.Flush();
        return StartupErrors.ExitCode;
    }
}
