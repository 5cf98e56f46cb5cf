namespace RtmpRelay.Protocol.Chunks;

/// <summary>What a queued message is, as far as dropping under back-pressure is concerned.</summary>
public enum MediaKind : byte
{
    /// <summary>Control messages and commands: never dropped.</summary>
    Control,
    /// <summary>Metadata and sequence headers: never dropped (a decoder needs them).</summary>
    Header,
    /// <summary>A point a decoder can start from: a video keyframe, or an audio frame of a stream without video.</summary>
    KeyFrame,
    Video,
    Audio,
    /// <summary>Other data messages (cue points, captions): dropped with the GOP they belong to.</summary>
    Other,
}
