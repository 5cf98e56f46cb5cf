using System.IO.Pipelines;

namespace RtmpRelay.Core;

/// <summary>A duplex pipe over a stream (an outbound TCP or TLS connection).</summary>
internal sealed class StreamDuplexPipe : IDuplexPipe
{
    private const int SegmentSize = 64 * 1024;

    public StreamDuplexPipe(Stream stream)
    {
        // Large segments: one socket write per flushed batch instead of one per 4 KiB segment.
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: SegmentSize, minimumReadSize: SegmentSize / 4, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: SegmentSize, leaveOpen: true));
    }

    public PipeReader Input { get; }
    public PipeWriter Output { get; }
}
