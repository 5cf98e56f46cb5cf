using Microsoft.Extensions.Logging;
using RtmpRelay.Server;

namespace RtmpRelay.Tests.Functional;

/// <summary>One captured log line, with the structured values of its [LoggerMessage] template.</summary>
internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception)
{
    public string? ConnectionId => Values.TryGetValue("ConnectionId", out var id) ? id as string : null;

    public object? this[string name] => Values.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Level} {EventId.Id} {Message}{(Exception is null ? "" : " " + Exception.GetType().Name + ": " + Exception.Message)}";
}

/// <summary>Captures what the relay logs, so tests can assert why a connection ended; waits are bounded.</summary>
internal sealed class TestLogger : ILogger<RtmpConnectionHandler>, ILogger<RtmpRelay.Options.RelayConfiguration>, ILogger<RtmpRelay.Destinations.DestinationManager>, ILogger<RtmpRelay.Authorization.AuthFailureLimiter>
{
    /// <summary>ConnectionLog event ids the tests look for.</summary>
    public const int Closed = 102;
    public const int ProtocolError = 103;
    public const int Unexpected = 104;
    public const int StoppedPlaying = 207;

    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = new();
    private readonly List<(Func<LogEntry, bool> Match, TaskCompletionSource<LogEntry> Done)> _waiters = new();

    public LogLevel MinimumLevel { get; set; } = LogLevel.Debug;

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }
        var values = new Dictionary<string, object?>();
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                values[key] = value;
            }
        }
        var entry = new LogEntry(logLevel, eventId, formatter(state, exception), values, exception);
        List<TaskCompletionSource<LogEntry>> matched = new();
        lock (_gate)
        {
            _entries.Add(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(entry))
                {
                    matched.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        foreach (var done in matched)
        {
            done.TrySetResult(entry);
        }
    }

    /// <summary>The first entry (already logged or to come) that matches, within <paramref name="timeout"/>.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match, string description, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = _entries.FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }
            _waiters.Add((match, done));
        }
        try
        {
            return await done.Task.WaitAsync(timeout ?? TestRtmpClient.DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No log entry: {description}. Logged:\n  {string.Join("\n  ", Entries)}");
        }
    }

    /// <summary>Why connection <paramref name="connectionId"/> ended (Closed or ProtocolError), once it has.</summary>
    public Task<LogEntry> WaitForCloseAsync(string connectionId) =>
        WaitForAsync(e => e.ConnectionId == connectionId && e.EventId.Id is Closed or ProtocolError or Unexpected, $"close of {connectionId}");
}
