using System.Security.Cryptography;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// Time and randomness sources for <see cref="ServerHandshake"/> and <see cref="ClientHandshake"/>, and the RTMPE
/// crypto. Time and randomness are injectable so tests can produce byte-exact handshakes.
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

    /// <summary>
    /// The RTMPE (encrypted RTMP) primitives. Default: null, RTMPE is disabled: a server rejects C0 = 0x06/0x08/0x09
    /// with an <see cref="RtmpProtocolException"/>, and an encrypted <see cref="ClientHandshake"/> cannot be created.
    /// The host supplies the BouncyCastle implementation from RtmpRelay.Rtmpe.
    /// </summary>
    public IRtmpeCrypto? Rtmpe { get; init; }

    /// <summary>
    /// Which S0 a server answers to an RTMPE C0, which also picks the C2/S2 signature cipher for both directions.
    /// Default: <see cref="RtmpeServerResponse.MirrorClient"/>: answer what the client asked for. Clients (ffmpeg,
    /// rtmpdump) send 0x06, so this is 0x06 in practice: accepted by every RTMPE client and no block cipher involved;
    /// a client that asks for 0x08/0x09 gets it. Fixed values exist to test clients or to mimic FMS (0x08).
    /// </summary>
    public RtmpeServerResponse RtmpeResponse { get; init; } = RtmpeServerResponse.MirrorClient;
}
