using System.IO.Pipelines;
using System.Net.Sockets;

namespace RtmpRelay.Destinations;

/// <summary>The byte stream to a destination, as a dialer made it, and how to close it.</summary>
internal sealed class DestinationTransport : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    public DestinationTransport(IDuplexPipe pipe, Func<ValueTask> dispose, Socket? plainSocket = null)
    {
        Pipe = pipe;
        _dispose = dispose;
        PlainSocket = plainSocket;
    }

    public IDuplexPipe Pipe { get; }

    /// <summary>The TCP socket under <see cref="Pipe"/> when the pipe passes bytes to it unchanged (no TLS, no tunnel).</summary>
    public Socket? PlainSocket { get; }

    public ValueTask DisposeAsync() => _dispose();
}
