using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RtmpRelay.Hosting;

/// <summary>
/// The logger factory, with two hosting lines the relay says better itself lowered to Debug (still there with Debug
/// logging on): Microsoft.Hosting.Lifetime's "Now listening on: http://0.0.0.0:1935" (event 14), which names Kestrel's
/// scheme rather than the relay's (<see cref="StartupSummary"/> lists every endpoint), and
/// Microsoft.Extensions.Hosting.Internal.Host's "Hosting failed to start" (event 11) with its stack trace, which
/// Program.cs reports as one line when a setting is the cause (and lets through with its stack otherwise). Every other
/// line of those categories ("Application started", "Hosting environment", "Content root path" ...) is unchanged, and
/// every other category gets the inner factory's logger itself.
/// </summary>
internal sealed class StartupLoggerFactory : ILoggerFactory
{
    public const string LifetimeCategory = "Microsoft.Hosting.Lifetime";
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    public const int ListeningOnAddressEventId = 14;
    public const int HostedServiceStartupFaultedEventId = 11;

    private readonly ILoggerFactory _inner;

    public StartupLoggerFactory(ILoggerFactory inner) => _inner = inner;

    /// <summary>Replaces the default <see cref="LoggerFactory"/> registration with one wrapped in this factory.</summary>
    public static void Register(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory));
        if (existing is not { ImplementationType: { } type } || type != typeof(LoggerFactory))
        {
            return; // someone else's factory: leave it alone
        }
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(provider => new StartupLoggerFactory(new LoggerFactory(
            provider.GetServices<ILoggerProvider>(),
            provider.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            provider.GetService<IOptions<LoggerFactoryOptions>>(),
            provider.GetService<IExternalScopeProvider>()))));
    }

    public ILogger CreateLogger(string categoryName)
    {
        var logger = _inner.CreateLogger(categoryName);
        return categoryName switch
        {
            LifetimeCategory => new LoweringLogger(logger, ListeningOnAddressEventId),
            HostCategory => new LoweringLogger(logger, HostedServiceStartupFaultedEventId),
            _ => logger,
        };
    }

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose() => _inner.Dispose();

    /// <summary>Logs one event id at Debug, everything else as asked.</summary>
    private sealed class LoweringLogger(ILogger inner, int eventId) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(id.Id == eventId && logLevel > LogLevel.Debug ? LogLevel.Debug : logLevel, id, state, exception, formatter);
    }
}
