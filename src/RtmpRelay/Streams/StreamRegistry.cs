using System.Collections.Concurrent;
using RtmpRelay.Core;

namespace RtmpRelay.Streams;

/// <summary>
/// The live streams of this relay, by application and name. One publisher per name; a stream whose publisher left
/// stays registered for its application's reconnect grace, so the same name published again continues it.
/// </summary>
internal sealed class StreamRegistry
{
    private readonly ConcurrentDictionary<StreamKey, LiveStream> _streams = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    public StreamRegistry(TimeProvider? time = null, QueueBudget? budget = null)
    {
        _time = time ?? TimeProvider.System;
        Budget = budget ?? QueueBudget.Unlimited;
    }

    /// <summary>The relay-wide budget of queued media every subscriber of every stream counts against.</summary>
    public QueueBudget Budget { get; }

    /// <summary>Raised after a new stream goes live (destinations start here); not when a stream is continued.</summary>
    public event Action<LiveStream>? Published;

    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="publisher"/>: a new stream, the continuation of one that waits
    /// for its publisher, or (with <paramref name="takeOver"/>) of one that is being published, whose publisher is then
    /// disconnected.
    /// </summary>
    /// <param name="maxStreams">Most streams registered at once; a new stream past it is refused.</param>
    public PublishOutcome TryPublish(StreamKey key, IStreamPublisher publisher, int chunkSize, bool takeOver, int maxStreams, out LiveStream stream)
    {
        IStreamPublisher? replaced;
        lock (_gate)
        {
            if (_streams.TryGetValue(key, out stream!))
            {
                if (!stream.TryContinue(publisher, takeOver, out replaced))
                {
                    stream = null!;
                    return PublishOutcome.Refused;
                }
            }
            else if (_streams.Count >= maxStreams)
            {
                stream = null!;
                return PublishOutcome.TooManyStreams;
            }
            else
            {
                stream = new LiveStream(key, publisher, chunkSize, _time, Budget);
                _streams[key] = stream;
                replaced = null;
                Published?.Invoke(stream);
                return PublishOutcome.Started;
            }
        }
        if (replaced is null)
        {
            return PublishOutcome.Resumed;
        }
        replaced.Disconnect($"another publisher ({publisher.Id}) took {key} over");
        return PublishOutcome.TookOver;
    }

    public bool TryGet(StreamKey key, out LiveStream stream) => _streams.TryGetValue(key, out stream!);

    /// <summary>
    /// <paramref name="publisher"/> stopped publishing <paramref name="stream"/>: the stream waits <paramref name="grace"/>
    /// for a publisher to come back, then ends (at once when the grace is zero). Nothing happens if it was taken over.
    /// </summary>
    /// <returns>True when the stream now waits for its publisher.</returns>
    public bool PublisherLeft(LiveStream stream, IStreamPublisher publisher, TimeSpan grace)
    {
        if (grace <= TimeSpan.Zero)
        {
            End(stream, s => s.Publisher == publisher);
            return false;
        }
        return stream.TryBeginBridge(publisher, grace, s => End(s, static s => s.IsBridging));
    }

    /// <summary>Ends the stream now (no grace) and removes it, if <paramref name="stream"/> is still the one registered.</summary>
    public void Unpublish(LiveStream stream) => End(stream, static _ => true);

    /// <summary>Removes and ends <paramref name="stream"/> if <paramref name="condition"/> holds, checked under the same lock a publish takes.</summary>
    private void End(LiveStream stream, Func<LiveStream, bool> condition)
    {
        lock (_gate)
        {
            if (!condition(stream) || !_streams.TryRemove(new KeyValuePair<StreamKey, LiveStream>(stream.Key, stream)))
            {
                return;
            }
        }
        stream.End();
    }

    public ICollection<LiveStream> Streams => _streams.Values;
}
