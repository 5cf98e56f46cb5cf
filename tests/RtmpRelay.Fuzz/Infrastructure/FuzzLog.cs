using Microsoft.Extensions.Logging;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// Everything the relay logs during one input goes through here (at every level, so the log arguments are computed
/// too); what counts is whether an error with an exception was logged: the relay's "failed unexpectedly" lines.
/// </summary>
internal sealed class FuzzLog : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly List<string> _failures = new();

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate)
            {
                return _failures.ToArray();
            }
        }
    }

    public Exception? FirstException { get; private set; }

    /// <summary>RTMPRELAY_FUZZ_VERBOSE=1 prints every line (for reproducing one input by hand, never under AFL).</summary>
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("RTMPRELAY_FUZZ_VERBOSE") == "1";

    public ILogger<T> For<T>() => new Logger<T>(this);

    public ILogger CreateLogger(string categoryName) => new Logger<object>(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>Throws when the relay logged an unexpected failure (a bug the input reached).</summary>
    public void ThrowIfFailed()
    {
        var failures = Failures;
        if (failures.Count > 0)
        {
            throw new FuzzFailure($"the relay logged {failures.Count} unexpected failure(s): {string.Join(" | ", failures)}", FirstException);
        }
    }

    private void Record<TState>(LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        if (Verbose)
        {
            Console.Error.WriteLine($"{level} {eventId.Id} {message}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
        if (level >= LogLevel.Error && exception is not null)
        {
            lock (_gate)
            {
                FirstException ??= exception;
                _failures.Add($"{eventId.Id} {message}: {exception}");
            }
        }
    }

    private sealed class Logger<T>(FuzzLog log) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Record(logLevel, eventId, state, exception, formatter);
    }
}
