using System.Collections.Concurrent;

namespace RtmpRelay.Streams;

/// <summary>The live streams of this relay, by application and name. One publisher per name.</summary>
internal sealed class StreamRegistry
{
    private readonly ConcurrentDictionary<StreamKey, LiveStream> _streams = new();

    /// <summary>Raised after a stream goes live (destinations start here).</summary>
    public event Action<LiveStream>? Published;

    /// <summary>Claims <paramref name="key"/> for a new publisher; false when someone already publishes it.</summary>
    public bool TryPublish(StreamKey key, string publisherId, int chunkSize, out LiveStream stream)
    {
        var candidate = new LiveStream(key, publisherId, chunkSize);
        if (!_streams.TryAdd(key, candidate))
        {
            stream = null!;
            return false;
        }
        stream = candidate;
        Published?.Invoke(stream);
        return true;
    }

    public bool TryGet(StreamKey key, out LiveStream stream) => _streams.TryGetValue(key, out stream!);

    /// <summary>Ends the stream and removes it, if <paramref name="stream"/> is still the one registered.</summary>
    public void Unpublish(LiveStream stream)
    {
        if (_streams.TryRemove(new KeyValuePair<StreamKey, LiveStream>(stream.Key, stream)))
        {
            stream.End();
        }
    }

    public ICollection<LiveStream> Streams => _streams.Values;
}
