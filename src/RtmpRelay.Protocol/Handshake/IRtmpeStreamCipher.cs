namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// One direction of an RTMPE connection: an RC4 keystream positioned after the 1536 discarded bytes. Stateful:
/// every call continues the keystream, so bytes must pass through exactly once and in order. Not thread-safe.
/// </summary>
public interface IRtmpeStreamCipher
{
    /// <summary>
    /// Encrypts or decrypts (the same operation) <paramref name="input"/> into the first input.Length bytes of
    /// <paramref name="output"/>. Works in place when both spans start at the same address; partially
    /// overlapping spans are not supported. Allocates nothing.
    /// </summary>
    void Transform(ReadOnlySpan<byte> input, Span<byte> output);
}
