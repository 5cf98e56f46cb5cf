namespace RtmpRelay.Streams;

/// <summary>Whoever publishes a live stream (an encoder's connection).</summary>
internal interface IStreamPublisher
{
    /// <summary>Connection id, for logs.</summary>
    string Id { get; }

    /// <summary>Disconnects the publisher: another one took the stream over.</summary>
    void Disconnect(string reason);
}
