using System.Collections.Concurrent;
using System.Net;
using RtmpRelay.Logging;
using RtmpRelay.Options;

namespace RtmpRelay.Authorization;

/// <summary>
/// Counts refused publishes and plays per address; an address with Relay:Limits:MaxAuthFailures of them within a
/// minute is banned for AuthBanTime: its connections are closed before the handshake. The ban is logged once a minute
/// per address, whatever the number of connections. Memory is bounded: past <see cref="MaxTracked"/> addresses the
/// oldest quiet ones are forgotten.
/// </summary>
internal sealed class AuthFailureLimiter(RelayConfiguration configuration, TimeProvider time, ILogger<AuthFailureLimiter> logger)
{
    private const int MaxTracked = 10_000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();

    /// <summary>A refusal from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress? address)
    {
        if (address is null)
        {
            return;
        }
        var limits = configuration.Current.Options.Limits;
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxTracked)
        {
            Prune(now);
        }
        var entry = _entries.GetOrAdd(address, _ => new Entry());
        lock (entry)
        {
            if (now - entry.WindowStart > Window)
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }
            entry.Failures++;
            if (entry.Failures >= limits.MaxAuthFailures && entry.BannedUntil < now)
            {
                entry.BannedUntil = now + limits.AuthBanTime;
                AuthLog.Banned(logger, address.ToString(), entry.Failures, limits.AuthBanTime.TotalSeconds);
                entry.LastLogged = now;
            }
        }
    }

    /// <summary>Whether connections from <paramref name="address"/> are turned away now.</summary>
    public bool IsBanned(IPAddress? address)
    {
        if (address is null || !_entries.TryGetValue(address, out var entry))
        {
            return false;
        }
        var now = time.GetUtcNow();
        lock (entry)
        {
            if (entry.BannedUntil <= now)
            {
                return false;
            }
            entry.Refused++;
            if (now - entry.LastLogged >= Window)
            {
                AuthLog.StillBanned(logger, address.ToString(), entry.Refused, (entry.BannedUntil - now).TotalSeconds);
                entry.LastLogged = now;
                entry.Refused = 0;
            }
            return true;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, entry) in _entries)
        {
            if (entry.BannedUntil < now && now - entry.WindowStart > Window)
            {
                _entries.TryRemove(address, out _);
            }
        }
        if (_entries.Count >= MaxTracked)
        {
            _entries.Clear(); // a flood of addresses: forgetting them all is better than growing without bound
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart;
        public DateTimeOffset BannedUntil;
        public DateTimeOffset LastLogged;
        public int Failures;
        public long Refused;
    }
}
