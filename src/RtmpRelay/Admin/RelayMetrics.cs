using Prometheus;
using RtmpRelay.Destinations;
using RtmpRelay.Streams;

namespace RtmpRelay.Admin;

/// <summary>
/// The relay's Prometheus metrics (prometheus-net, default registry, which also carries the process and .NET runtime
/// metrics). Connection counters are counted as things happen; per-stream and per-destination series are read from the
/// registry and the supervisors just before each scrape, and the series of streams that ended are removed.
/// </summary>
internal sealed class RelayMetrics
{
    private static readonly string[] StreamLabels = ["app", "stream"];
    private static readonly string[] DestinationLabels = ["app", "stream", "destination"];

    private static readonly Counter ConnectionsTotal = Metrics.CreateCounter("rtmprelay_connections_total",
        "RTMP connections accepted (after the handshake), by transport.", "transport");
    private static readonly Gauge ConnectionsOpen = Metrics.CreateGauge("rtmprelay_connections_open",
        "RTMP connections open now, by transport.", "transport");
    private static readonly Counter HandshakeFailures = Metrics.CreateCounter("rtmprelay_handshake_failures_total",
        "Connections that failed the RTMP or RTMPE handshake, by reason.", "reason");
    private static readonly Gauge Publishers = Metrics.CreateGauge("rtmprelay_publishers",
        "Streams with a publisher now, by application.", "app");
    private static readonly Gauge Players = Metrics.CreateGauge("rtmprelay_players", "Local players of a stream.", StreamLabels);
    private static readonly Counter ReceivedBytes = Metrics.CreateCounter("rtmprelay_received_bytes_total",
        "Media and data bytes received from a stream's publishers.", StreamLabels);
    private static readonly Counter SentBytes = Metrics.CreateCounter("rtmprelay_destination_sent_bytes_total",
        "Bytes written to a destination, every attempt counted.", DestinationLabels);
    private static readonly Gauge State = Metrics.CreateGauge("rtmprelay_destination_state",
        "1 for the state a destination is in (connecting, live, retrying, paused, stopped).", [.. DestinationLabels, "state"]);
    private static readonly Counter Reconnects = Metrics.CreateCounter("rtmprelay_destination_reconnects_total",
        "Attempts made after a destination failed.", DestinationLabels);
    private static readonly Counter DroppedFrames = Metrics.CreateCounter("rtmprelay_destination_dropped_frames_total",
        "Media messages dropped because a destination fell behind (whole GOPs).", DestinationLabels);
    private static readonly Counter RefusedTotal = Metrics.CreateCounter("rtmprelay_refused_total",
        "Peers refused by a count limit, by reason (connections, connections_per_address, streams, players, chunk_streams, message_size).", "reason");
    private static readonly Counter SlowPeersDropped = Metrics.CreateCounter("rtmprelay_slow_peers_dropped_total",
        "Players and publishers closed because they took no bytes for WriteStallTimeout (write_stall) or lost MaxDroppedGops GOPs in a row (too_slow).", "reason");
    private static readonly DestinationState[] States = Enum.GetValues<DestinationState>();

    private readonly StreamRegistry _registry;
    private readonly DestinationManager _destinations;
    private readonly Lock _gate = new();
    private HashSet<string[]> _streamSeries = new(LabelComparer.Instance);
    private HashSet<string[]> _destinationSeries = new(LabelComparer.Instance);
    private HashSet<string> _apps = new(StringComparer.Ordinal);

    public RelayMetrics(StreamRegistry registry, DestinationManager destinations)
    {
        _registry = registry;
        _destinations = destinations;
        Metrics.DefaultRegistry.AddBeforeCollectCallback(Update);
    }

    public static void Connected(string transport)
    {
        ConnectionsTotal.WithLabels(transport).Inc();
        ConnectionsOpen.WithLabels(transport).Inc();
    }

    public static void Disconnected(string transport) => ConnectionsOpen.WithLabels(transport).Dec();

    public static void HandshakeFailed(string reason) => HandshakeFailures.WithLabels(reason).Inc();

    public static void Refused(string reason) => RefusedTotal.WithLabels(reason).Inc();

    public static void SlowPeerDropped(string reason) => SlowPeersDropped.WithLabels(reason).Inc();

    private void Update()
    {
        lock (_gate)
        {
            var streams = new HashSet<string[]>(LabelComparer.Instance);
            var destinations = new HashSet<string[]>(LabelComparer.Instance);
            var publishers = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var app in _apps)
            {
                publishers[app] = 0;
            }
            foreach (var stream in _registry.Streams)
            {
                string[] labels = [stream.Key.Application, stream.Key.Name];
                var facts = stream.Facts();
                streams.Add(labels);
                Players.WithLabels(labels).Set(facts.Players);
                ReceivedBytes.WithLabels(labels).IncTo(facts.BytesIn);
                publishers[stream.Key.Application] = publishers.GetValueOrDefault(stream.Key.Application) + (stream.Publisher is null ? 0 : 1);
                foreach (var destination in _destinations.DestinationsOf(stream))
                {
                    string[] target = [.. labels, destination.Spec.Name];
                    destinations.Add(target);
                    SentBytes.WithLabels(target).IncTo(destination.BytesSent);
                    Reconnects.WithLabels(target).IncTo(destination.Reconnects);
                    DroppedFrames.WithLabels(target).IncTo(destination.DroppedMessages);
                    var current = destination.State;
                    foreach (var state in States)
                    {
                        State.WithLabels([.. target, state.ToName()]).Set(state == current ? 1 : 0);
                    }
                }
            }
            foreach (var (app, count) in publishers)
            {
                Publishers.WithLabels(app).Set(count);
            }
            foreach (var gone in _streamSeries.Except(streams, LabelComparer.Instance))
            {
                Players.RemoveLabelled(gone);
                ReceivedBytes.RemoveLabelled(gone);
            }
            foreach (var gone in _destinationSeries.Except(destinations, LabelComparer.Instance))
            {
                SentBytes.RemoveLabelled(gone);
                Reconnects.RemoveLabelled(gone);
                DroppedFrames.RemoveLabelled(gone);
                foreach (var state in States)
                {
                    State.RemoveLabelled([.. gone, state.ToName()]);
                }
            }
            _streamSeries = streams;
            _destinationSeries = destinations;
            _apps = [.. publishers.Keys];
        }
    }

    private sealed class LabelComparer : IEqualityComparer<string[]>
    {
        public static LabelComparer Instance { get; } = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] labels)
        {
            var hash = new HashCode();
            foreach (var label in labels)
            {
                hash.Add(label);
            }
            return hash.ToHashCode();
        }
    }
}
