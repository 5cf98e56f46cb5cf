namespace RtmpRelay.Destinations;

/// <summary>Where a destination is in its life. Only its <see cref="DestinationSupervisor"/> moves it.</summary>
internal enum DestinationState
{
    /// <summary>Dialling, handshaking, connecting or publishing; media is queued meanwhile.</summary>
    Connecting,

    /// <summary>The destination accepted the publish and receives the stream.</summary>
    Live,

    /// <summary>An attempt failed; waiting out the backoff before the next one.</summary>
    Retrying,

    /// <summary>Stopped on request while the stream goes on; resumes on request.</summary>
    Paused,

    /// <summary>Done: the stream ended, the destination was removed from the configuration, or the relay stops.</summary>
    Stopped,
}

internal static class DestinationStateNames
{
    /// <summary>The state's name as the API, metrics and logs show it: connecting, live, retrying, paused, stopped.</summary>
    public static string ToName(this DestinationState state) => state switch
    {
        DestinationState.Connecting => "connecting",
        DestinationState.Live => "live",
        DestinationState.Retrying => "retrying",
        DestinationState.Paused => "paused",
        _ => "stopped",
    };
}
