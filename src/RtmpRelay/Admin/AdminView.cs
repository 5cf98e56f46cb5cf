using System.Runtime.CompilerServices;
using RtmpRelay.Destinations;
using RtmpRelay.Streams;

namespace RtmpRelay.Admin;

/// <summary>
/// What the API shows, read from the registry and the destination supervisors. Rates are sampled every second in the
/// background (<see cref="StartSampling"/>), so the first reading of a stream that has run a second already has one.
/// </summary>
internal sealed class AdminView(StreamRegistry registry, DestinationManager destinations, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromSeconds(1);

    private readonly ConditionalWeakTable<object, RateMeter> _rates = new();
    private ITimer? _sampler;

    public void StartSampling() => _sampler ??= time.CreateTimer(static view => ((AdminView)view!).Sample(), this, SamplePeriod, SamplePeriod);

    public void Dispose() => _sampler?.Dispose();

    /// <summary>Takes every publisher's and destination's byte total once, so each meter has its one-second windows.</summary>
    private void Sample()
    {
        foreach (var stream in registry.Streams)
        {
            if (stream.IsEnded)
            {
                continue;
            }
            if (stream.Publisher is not null)
            {
                RateOf(stream, stream.Facts().BytesIn);
            }
            foreach (var destination in destinations.DestinationsOf(stream))
            {
                RateOf(destination, destination.BytesSent);
            }
        }
    }

    public StreamsView Streams() =>
        new([.. registry.Streams.Where(s => !s.IsEnded).OrderBy(s => s.Key.Application).ThenBy(s => s.Key.Name).Select(Describe)]);

    public StreamView? Stream(string app, string name) =>
        registry.TryGet(new StreamKey(app, name), out var stream) ? Describe(stream) : null;

    public DestinationSupervisor? Destination(string app, string name, string destination) =>
        registry.TryGet(new StreamKey(app, name), out var stream)
            ? destinations.DestinationsOf(stream).FirstOrDefault(d => string.Equals(d.Spec.Name, destination, StringComparison.OrdinalIgnoreCase))
            : null;

    private StreamView Describe(LiveStream stream)
    {
        var facts = stream.Facts();
        var publisher = stream.Publisher is { } live
            ? new PublisherView(live.Info.ClientIp, live.Info.Transport, live.Info.Encoder, stream.PublisherSince,
                facts.VideoCodec, facts.AudioCodec, facts.Width, facts.Height, facts.Fps, RateOf(stream, facts.BytesIn))
            : null;
        var views = destinations.DestinationsOf(stream)
            .OrderBy(d => d.Spec.Name, StringComparer.OrdinalIgnoreCase)
            .Select(d =>
            {
                var sent = d.BytesSent;
                var state = d.State;
                var rate = RateOf(d, sent);
                return new DestinationView(d.Spec.Name, d.RedactedUrl, state.ToName(), state == DestinationState.Live ? null : d.LastFailure?.ToString(), sent,
                    state == DestinationState.Live ? rate : 0,
                    d.LagMilliseconds, d.DroppedMessages, d.Reconnects, d.StateSince);
            })
            .ToList();
        return new StreamView(stream.Key.Application, stream.Key.Name, publisher, facts.Players, views);
    }

    private double? RateOf(object source, long totalBytes) => _rates.GetValue(source, static _ => new RateMeter()).Kbps(totalBytes, time);
}
