using Microsoft.Extensions.Options;
using RtmpRelay.Logging;

namespace RtmpRelay.Options;

/// <summary>
/// The relay's configuration as a sequence of validated snapshots. It watches the "Relay" section through
/// <see cref="IOptionsMonitor{TOptions}"/> (appsettings.json and appsettings.{Environment}.json reload on change): a
/// valid change becomes the new <see cref="Current"/> and raises <see cref="Changed"/>; an invalid one is logged as
/// one error and the running snapshot stays. The first configuration must be valid, or the relay does not start.
/// </summary>
internal sealed class RelayConfiguration : IDisposable
{
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private readonly Lock _gate = new();
    private RelaySnapshot _current;
    private string? _lastRejection;

    public RelayConfiguration(IOptionsMonitor<RelayOptions> monitor, ILogger<RelayConfiguration> logger)
    {
        _logger = logger;
        _current = RelaySnapshot.Create(monitor.CurrentValue);
        _subscription = monitor.OnChange(OnChange);
    }

    public RelaySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised with (previous, current) after a valid change replaced the snapshot.</summary>
    public event Action<RelaySnapshot, RelaySnapshot>? Changed;

    private void OnChange(RelayOptions options, string? name)
    {
        if (!RelaySnapshot.TryCreate(options, out var next, out var errors))
        {
            // A file save often raises two change events: say it once.
            var rejection = string.Join(" ", errors);
            if (Interlocked.Exchange(ref _lastRejection, rejection) != rejection)
            {
                ConfigurationLog.Rejected(_logger, rejection);
            }
            return;
        }
        RelaySnapshot previous;
        lock (_gate)
        {
            _lastRejection = null;
            previous = _current;
            Volatile.Write(ref _current, next);
            ConfigurationLog.Applied(_logger);
            try
            {
                Changed?.Invoke(previous, next);
            }
            catch (Exception ex)
            {
                ConfigurationLog.ApplyFailed(_logger, ex);
            }
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
