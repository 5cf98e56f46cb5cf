using BenchmarkDotNet.Attributes;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Chunking one message at chunk size 4096: into a caller's span (<see cref="ChunkWriter"/>), and into a pooled,
/// reference-counted <see cref="ChunkedMessage"/> as the fan-out does (create, then release).
/// </summary>
[MemoryDiagnoser]
public class ChunkWriterBenchmarks
{
    private byte[] _payload = [];
    private byte[] _output = [];

    /// <summary>370: an AAC frame; 16000: an inter frame at 4 Mbit/s; 60000: a keyframe.</summary>
    [Params(370, 16_000, 60_000)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = PayloadBytes < 1000 ? SampleStream.AudioPayload(PayloadBytes, 1) : SampleStream.VideoPayload(PayloadBytes, PayloadBytes > 20_000, 1);
        _output = new byte[ChunkWriter.GetChunkedLength(SampleStream.VideoChunkStream, 0, PayloadBytes, SampleStream.ChunkSize)];
    }

    [Benchmark(Baseline = true)]
    public int WriteToSpan() =>
        ChunkWriter.Write(_output, SampleStream.VideoChunkStream, RtmpMessageType.Video, 40, 1, _payload, SampleStream.ChunkSize);

    [Benchmark]
    public int CreateChunkedMessage()
    {
        var message = ChunkedMessage.Create(SampleStream.VideoChunkStream, RtmpMessageType.Video, 40, 1, _payload, SampleStream.ChunkSize, MediaKind.Video);
        var length = message.Length;
        message.Release();
        return length;
    }
}
