using System.Buffers;
using BenchmarkDotNet.Attributes;
using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Reassembling one second of a 4 Mbit/s publisher (77 audio and video messages, chunk size 4096) with
/// <see cref="ChunkReader"/>, per message. The reader lives across invocations, as it lives for a connection;
/// each message is released as the read loop does, so pooled payloads are reused.
/// </summary>
[MemoryDiagnoser]
public class ChunkReaderBenchmarks
{
    private byte[] _stream = [];
    private ReadOnlySequence<byte> _input;
    private ChunkReader _reader = null!;

    /// <summary>0: the bytes in one segment; 4096: in 4 KiB segments, as a pipe delivers them.</summary>
    [Params(0, 4096)]
    public int SegmentSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = SampleStream.Build();
        _input = SegmentedBuffer.Create(_stream, SegmentSize);
        _reader = new ChunkReader();
        ReadAll(); // applies Set Chunk Size and warms the pools
    }

    [GlobalCleanup]
    public void Cleanup() => _reader.Dispose();

    [Benchmark(OperationsPerInvoke = SampleStream.VideoFrames + SampleStream.AudioFrames + 1)]
    public long ReadMessage() => ReadAll();

    private long ReadAll()
    {
        var buffer = _input;
        long total = 0;
        while (_reader.TryRead(ref buffer, out var message))
        {
            total += message.Length;
            message.Release();
        }
        if (!buffer.IsEmpty)
        {
            throw new InvalidOperationException("the sample stream ends mid-chunk");
        }
        return total;
    }
}
