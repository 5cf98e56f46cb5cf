using System.Collections.Concurrent;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Streams;

namespace RtmpRelay.Destinations;

/// <summary>
/// Keeps one <see cref="DestinationSupervisor"/> per (live stream, destination): started when a stream goes live,
/// reconciled by name when the configuration changes (added ones start, removed or disabled ones stop cleanly,
/// changed ones restart, the others are not touched), and stopped at shutdown.
/// </summary>
internal sealed class DestinationManager : IHostedService
{
    private const string Removed = "removed from the configuration";
    private const string Changed = "changed in the configuration";

    private readonly StreamRegistry _registry;
    private readonly RelayConfiguration _configuration;
    private readonly IDestinationDialer _dialer;
    private readonly TimeProvider _time;
    private readonly ILogger<DestinationManager> _logger;
    private readonly Random? _random;
    private readonly ConcurrentDictionary<LiveStream, StreamDestinations> _streams = new();
    private readonly Lock _gate = new();
    private bool _stopping;

    /// <param name="random">Jitter source (seeded in tests); default <see cref="Random.Shared"/>.</param>
    public DestinationManager(StreamRegistry registry, RelayConfiguration configuration, IDestinationDialer dialer, TimeProvider time,
        ILogger<DestinationManager> logger, Random? random = null)
    {
        _random = random;
        _registry = registry;
        _configuration = configuration;
        _dialer = dialer;
        _time = time;
        _logger = logger;
    }

    /// <summary>The destinations of <paramref name="stream"/> as they are now (none for a stream without any).</summary>
    public IReadOnlyList<DestinationSupervisor> DestinationsOf(LiveStream stream)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(stream, out var destinations) ? [.. destinations.Supervisors.Values] : [];
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registry.Published += OnPublished;
        _configuration.Changed += OnConfigurationChanged;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.Published -= OnPublished;
        _configuration.Changed -= OnConfigurationChanged;
        List<Task> running = [];
        lock (_gate)
        {
            _stopping = true;
            foreach (var supervisor in _streams.Values.SelectMany(s => s.Supervisors.Values))
            {
                supervisor.Stop("relay shutting down");
                running.Add(supervisor.Completion);
            }
        }
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Runs on the publisher's read loop, before any media: each destination's queue starts with the stream.</summary>
    private void OnPublished(LiveStream stream)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            var destinations = new StreamDestinations();
            _streams[stream] = destinations;
            stream.Ended.Register(() => OnStopped(stream, supervisor: null));
            foreach (var spec in _configuration.Current.DestinationsOf(stream.Key.Application))
            {
                StartLocked(stream, destinations, spec, after: null);
            }
        }
    }

    /// <summary>Reconciles every live stream with the new snapshot, by destination name.</summary>
    private void OnConfigurationChanged(RelaySnapshot previous, RelaySnapshot current)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            foreach (var (stream, destinations) in _streams)
            {
                if (stream.IsEnded)
                {
                    continue;
                }
                var wanted = current.DestinationsOf(stream.Key.Application).ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
                foreach (var (name, supervisor) in destinations.Supervisors.ToList())
                {
                    if (!wanted.TryGetValue(name, out var spec))
                    {
                        DestinationLog.Reconfigured(_logger, stream.Key.ToString(), name, "Removed or disabled");
                        destinations.Supervisors.Remove(name);
                        supervisor.Stop(Removed);
                    }
                    else if (spec != supervisor.Spec)
                    {
                        DestinationLog.Reconfigured(_logger, stream.Key.ToString(), name, "Changed");
                        supervisor.Stop(Changed);
                        StartLocked(stream, destinations, spec, after: supervisor.Completion);
                    }
                }
                foreach (var (name, spec) in wanted)
                {
                    if (!destinations.Supervisors.ContainsKey(name))
                    {
                        DestinationLog.Reconfigured(_logger, stream.Key.ToString(), name, "Added");
                        StartLocked(stream, destinations, spec, after: null);
                    }
                }
            }
        }
    }

    private void StartLocked(LiveStream stream, StreamDestinations destinations, DestinationSpec spec, Task? after)
    {
        var supervisor = new DestinationSupervisor(stream, spec, _configuration, _dialer, _time, _logger, _random);
        destinations.Supervisors[spec.Name] = supervisor;
        supervisor.Start(after);
        _ = supervisor.Completion.ContinueWith(_ => OnStopped(stream, supervisor), TaskScheduler.Default);
    }

    /// <summary>A supervisor stopped (or, with null, the stream ended): forget it, and the stream once it has none left.</summary>
    private void OnStopped(LiveStream stream, DestinationSupervisor? supervisor)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var destinations))
            {
                return;
            }
            if (supervisor is not null && destinations.Supervisors.TryGetValue(supervisor.Spec.Name, out var current) && current == supervisor)
            {
                destinations.Supervisors.Remove(supervisor.Spec.Name);
            }
            if (stream.IsEnded && destinations.Supervisors.Count == 0)
            {
                _streams.TryRemove(stream, out _);
            }
        }
    }

    private sealed class StreamDestinations
    {
        public Dictionary<string, DestinationSupervisor> Supervisors { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
