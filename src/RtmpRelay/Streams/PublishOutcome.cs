namespace RtmpRelay.Streams;

/// <summary>What a publish request did to the registry.</summary>
internal enum PublishOutcome
{
    /// <summary>The name is being published by someone else (and take-over is off).</summary>
    Refused,

    /// <summary>A new stream would go past Relay:Limits:MaxStreams.</summary>
    TooManyStreams,

    /// <summary>A new stream went live: destinations start.</summary>
    Started,

    /// <summary>The publisher came back within the reconnect grace: destinations continue.</summary>
    Resumed,

    /// <summary>The publisher replaced the one that was publishing: destinations continue.</summary>
    TookOver,
}
