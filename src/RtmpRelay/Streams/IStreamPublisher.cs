namespace RtmpRelay.Streams;

/// <summary>Whoever publishes a live stream (an encoder's connection).</summary>
internal interface IStreamPublisher
{
    /// <summary>Connection id, for logs.</summary>
    string Id { get; }

    /// <summary>Where it publishes from, for operators.</summary>
    PublisherInfo Info { get; }

    /// <summary>Disconnects the publisher: another one took the stream over, or an operator kicked it.</summary>
    void Disconnect(string reason);
}

/// <summary>A publisher as an operator sees it: its address, the door it came through (rtmp, rtmps, ...), its encoder (flashVer).</summary>
internal sealed record PublisherInfo(string? ClientIp, string Transport, string? Encoder);
