using System.Net;
using RtmpRelay.Admin;
using RtmpRelay.Logging;

namespace RtmpRelay.Server;

/// <summary>
/// Where a count limit's refusals go: every one is counted in rtmprelay_refused_total{reason}; the log gets the first
/// per address and reason in each minute, and the next line says how many were not logged, so a flood of refused
/// connections from one address cannot flood the log.
/// </summary>
internal sealed class LimitRefusals
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTracked = 4096; // addresses x reasons remembered; past it the oldest windows are forgotten

    private readonly Dictionary<(IPAddress?, RefusalReason), Entry> _entries = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    public LimitRefusals(TimeProvider time) => _time = time;

    public void Refuse(ILogger logger, IPAddress? address, RefusalReason reason, string connectionId, string detail)
    {
        RelayMetrics.Refused(MetricLabel(reason));
        var now = _time.GetTimestamp();
        int suppressed;
        lock (_gate)
        {
            if (_entries.TryGetValue((address, reason), out var entry) && _time.GetElapsedTime(entry.LoggedAt, now) < Window)
            {
                _entries[(address, reason)] = entry with { Suppressed = entry.Suppressed + 1 };
                return;
            }
            if (_entries.Count >= MaxTracked)
            {
                Forget(now);
            }
            suppressed = entry.Suppressed;
            _entries[(address, reason)] = new Entry(now, 0);
        }
        LimitLog.Refused(logger, connectionId, address?.ToString() ?? "(unknown address)", detail,
            suppressed > 0 ? $" ({suppressed} more refusals of it for this reason in the minute before, not logged)" : "");
    }

    public static string MetricLabel(RefusalReason reason) => reason switch
    {
        RefusalReason.Connections => "connections",
        RefusalReason.ConnectionsPerAddress => "connections_per_address",
        RefusalReason.Streams => "streams",
        RefusalReason.Players => "players",
        RefusalReason.ChunkStreams => "chunk_streams",
        _ => "message_size",
    };

    private void Forget(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (_time.GetElapsedTime(entry.LoggedAt, now) >= Window)
            {
                _entries.Remove(key);
            }
        }
        if (_entries.Count >= MaxTracked)
        {
            _entries.Clear();
        }
    }

    private readonly record struct Entry(long LoggedAt, int Suppressed);
}
