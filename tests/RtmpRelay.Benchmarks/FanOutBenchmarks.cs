using BenchmarkDotNet.Attributes;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Fan-out of one 16 KB video message (4 Mbit/s, 30 fps) to N destinations through the relay's own LiveStream and
/// SendQueue: chunk once, queue a reference per destination, and each destination's writer dequeues, copies the
/// bytes to its transport and releases.
/// </summary>
/// <remarks><see cref="ChunkPerDestination"/> is the naive shape (one chunking per destination) for comparison.</remarks>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int PayloadBytes = SampleStream.InterFrameBytes;
    private const int TransportBytes = 64 * 1024;

    private byte[] _payload = [];
    private BenchSubscriber[] _subscribers = [];
    private LiveStream _stream = null!;
    private RtmpMessage _message = null!;
    private byte[][] _transports = [];

    [Params(1, 2, 10)]
    public int Destinations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = SampleStream.VideoPayload(PayloadBytes, keyframe: false, seed: 7);
        _stream = new LiveStream(new StreamKey("live", "bench"), publisher: null, SampleStream.ChunkSize);
        _message = RtmpMessage.Copy(RtmpMessageType.Video, 40, 1, _payload);
        _subscribers = new BenchSubscriber[Destinations];
        _transports = new byte[Destinations][];
        for (var i = 0; i < Destinations; i++)
        {
            _subscribers[i] = new BenchSubscriber();
            _stream.Attach(_subscribers[i]);
            _transports[i] = new byte[TransportBytes];
        }
    }

    /// <summary>Chunk once, queue to every destination, drain every queue (reference counting only, no copy out).</summary>
    [Benchmark(Baseline = true)]
    public int ChunkOnceAndQueue()
    {
        Publish();
        var total = 0;
        foreach (var subscriber in _subscribers)
        {
            while (subscriber.Queue.TryDequeue(out var message))
            {
                total += message.Length;
                message.Release();
            }
        }
        return total;
    }

    /// <summary>As <see cref="ChunkOnceAndQueue"/>, and each writer copies the bytes into its transport buffer (the PipeWriter.Write).</summary>
    [Benchmark]
    public int ChunkOnceQueueAndWrite()
    {
        Publish();
        var total = 0;
        for (var i = 0; i < _subscribers.Length; i++)
        {
            while (_subscribers[i].Queue.TryDequeue(out var message))
            {
                message.Bytes.Span.CopyTo(_transports[i]);
                total += message.Length;
                message.Release();
            }
        }
        return total;
    }

    /// <summary>The naive shape for comparison: every destination gets its own chunking of the message.</summary>
    [Benchmark]
    public int ChunkPerDestination()
    {
        var total = 0;
        for (var i = 0; i < _subscribers.Length; i++)
        {
            var message = ChunkedMessage.Create(7, RtmpMessageType.Video, 40, 1, _payload, SampleStream.ChunkSize, MediaKind.Video);
            message.Bytes.Span.CopyTo(_transports[i]);
            total += message.Length;
            message.Release();
        }
        return total;
    }

    private void Publish() => _stream.Publish(_message);
}
