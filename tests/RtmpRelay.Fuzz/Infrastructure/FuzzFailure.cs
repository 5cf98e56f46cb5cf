namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// A target saw the code under test misbehave without an exception of its own: an invariant broken, a result that
/// depends on how the bytes were split, a bug the AMF reader turned into a protocol error, a handler that never ended.
/// Never one of the protocol's own exceptions, so AFL records it as a crash and the replay test fails on it.
/// </summary>
public sealed class FuzzFailure : Exception
{
    public FuzzFailure(string message, Exception? inner = null) : base(message, inner) { }
}
