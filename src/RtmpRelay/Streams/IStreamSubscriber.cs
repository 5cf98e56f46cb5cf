using RtmpRelay.Core;

namespace RtmpRelay.Streams;

/// <summary>Something a live stream is sent to: a local player or a push destination.</summary>
internal interface IStreamSubscriber
{
    /// <summary>Message stream id the subscriber's peer expects media on.</summary>
    uint StreamId { get; }

    /// <summary>
    /// True for destinations (they get "@setDataFrame", as an encoder would send it); false for players
    /// (they get "onMetaData", as a server sends it).
    /// </summary>
    bool IsPublisherSide { get; }

    SendQueue Queue { get; }

    /// <summary>The publisher stopped; the subscriber says goodbye to its peer its own way.</summary>
    void OnStreamEnded();
}
