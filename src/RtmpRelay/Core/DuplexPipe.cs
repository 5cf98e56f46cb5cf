using System.IO.Pipelines;

namespace RtmpRelay.Core;

/// <summary>A reader and a writer put together as one transport (an in-memory pipe pair, a socket's two directions).</summary>
internal sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
