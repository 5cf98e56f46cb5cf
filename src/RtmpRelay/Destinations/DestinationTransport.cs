using System.IO.Pipelines;

namespace RtmpRelay.Destinations;

/// <summary>The byte stream to a destination, as a dialer made it, and how to close it.</summary>
internal sealed class DestinationTransport : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    public DestinationTransport(IDuplexPipe pipe, Func<ValueTask> dispose)
    {
        Pipe = pipe;
        _dispose = dispose;
    }

    public IDuplexPipe Pipe { get; }

    public ValueTask DisposeAsync() => _dispose();
}
