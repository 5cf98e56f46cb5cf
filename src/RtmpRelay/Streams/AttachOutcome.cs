namespace RtmpRelay.Streams;

/// <summary>What came of attaching a subscriber to a live stream.</summary>
internal enum AttachOutcome
{
    Attached,

    /// <summary>The stream ended meanwhile.</summary>
    Ended,

    /// <summary>The stream has as many local players as Relay:Limits:MaxPlayersPerStream allows.</summary>
    Full,
}
