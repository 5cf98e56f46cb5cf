namespace RtmpRelay.Protocol.Messages;

/// <summary>
/// A pooled message was used after its last release, released more often than referenced, or reused while a holder
/// still had it. A bug in the relay, never the peer's doing: no connection loop catches it, so it surfaces with its
/// stack trace.
/// </summary>
public sealed class PoolMisuseException : Exception
{
    public PoolMisuseException(string message) : base(message) { }
}
