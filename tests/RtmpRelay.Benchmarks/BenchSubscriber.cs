using RtmpRelay.Core;
using RtmpRelay.Streams;

namespace RtmpRelay.Benchmarks;

/// <summary>A destination as the live stream sees it: its own bounded queue, drained by the benchmark.</summary>
internal sealed class BenchSubscriber : IStreamSubscriber
{
    public uint StreamId => 1;
    public bool IsPublisherSide => true;
    public SendQueue Queue { get; } = new(8 * 1024 * 1024);

    public void OnStreamEnded()
    {
    }
}
