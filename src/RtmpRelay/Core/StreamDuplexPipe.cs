using System.IO.Pipelines;

namespace RtmpRelay.Core;

/// <summary>A duplex pipe over a stream (an outbound TCP or TLS connection).</summary>
internal sealed class StreamDuplexPipe : IDuplexPipe
{
    public StreamDuplexPipe(Stream stream)
    {
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public PipeReader Input { get; }
    public PipeWriter Output { get; }
}
