namespace RtmpRelay.InteropTests.Peers;

/// <summary>A peer program, module or plug-in the interop tests drive is not installed. Tests fail with it; they never skip.</summary>
public sealed class PeerNotFoundException(string message) : Exception(message);
