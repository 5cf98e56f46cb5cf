using RtmpRelay.Destinations;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Destinations;

/// <summary>
/// The destination seam in memory: a host name routed to a <see cref="RelayHarness"/> standing in for the platform
/// connects to its real connection handler over a pipe pair; any other host refuses, as a closed port does.
/// </summary>
internal sealed class InMemoryDialer : IDestinationDialer
{
    private readonly Dictionary<string, RelayHarness> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Host, DateTimeOffset At)> _attempts = new();

    /// <summary>The relay's clock, for the attempt times.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    public void Route(string host, RelayHarness platform)
    {
        lock (_routes)
        {
            _routes[host] = platform;
        }
    }

    public void Unroute(string host)
    {
        lock (_routes)
        {
            _routes.Remove(host);
        }
    }

    public IReadOnlyList<(string Host, DateTimeOffset At)> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return _attempts.ToArray();
            }
        }
    }

    public int AttemptsTo(string host) => Attempts.Count(a => a.Host == host);

    public Task<DestinationTransport> ConnectAsync(DestinationUrl url, DestinationSpec destination, CancellationToken cancellationToken)
    {
        RelayHarness? platform;
        int n;
        lock (_attempts)
        {
            _attempts.Add((url.Host, Time.GetUtcNow()));
            n = _attempts.Count;
        }
        lock (_routes)
        {
            _routes.TryGetValue(url.Host, out platform);
        }
        if (platform is null)
        {
            throw new DestinationFailureException(new DestinationFailure(DestinationFailureKind.Refused, $"connection refused by {url.Host}:{url.Port}"));
        }
        var connection = platform.Open($"{url.Host}-{n}");
        var transport = connection.ClientTransport;
        return Task.FromResult(new DestinationTransport(transport, async () =>
        {
            await transport.Output.CompleteAsync();
            await transport.Input.CompleteAsync();
        }));
    }
}
