using System.Security.Cryptography;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// Time and randomness sources for <see cref="ServerHandshake"/> and <see cref="ClientHandshake"/>.
/// Both are injectable so tests can produce byte-exact handshakes.
/// </summary>
public sealed class HandshakeOptions
{
    /// <summary>Options with the defaults below; shared, immutable.</summary>
    public static HandshakeOptions Default { get; } = new();

    /// <summary>
    /// The 32-bit epoch written into the time field of C1/S1, in milliseconds since an arbitrary start.
    /// Default: <see cref="Environment.TickCount64"/> truncated to 32 bits (wraps, as RTMP timestamps do).
    /// </summary>
    public Func<uint> Epoch { get; init; } = static () => unchecked((uint)Environment.TickCount64);

    /// <summary>
    /// Fills the random parts of C1/S1/C2. Called once per packet with the whole random area, in wire order.
    /// Default: <see cref="RandomNumberGenerator.Fill(Span{byte})"/>.
    /// </summary>
    public Action<Span<byte>> Random { get; init; } = static bytes => RandomNumberGenerator.Fill(bytes);
}
