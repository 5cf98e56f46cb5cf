using System.Buffers;
using System.Buffers.Binary;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// Server side of the RTMP handshake: simple, Flash Player 9 digest, or RTMPE (encrypted, when
/// <see cref="HandshakeOptions.Rtmpe"/> is set). Pure and synchronous: feed it what
/// arrived, it writes S0+S1+S2 once C0+C1 are complete and reports completion once C2 has been consumed.
/// It buffers nothing itself; a truncated handshake just keeps returning false (the caller owns the deadline).
/// </summary>
/// <remarks>
/// <code>
/// client                         server
///   C0 (1) + C1 (1536)   ----->
///                        &lt;-----   S0 (1) + S1 (1536) + S2 (1536), one write (ffmpeg waits for S2 before C2)
///   C2 (1536) [+ first chunk] --->
///
/// C0: 3 plain; 0x06/0x08/0x09 RTMPE (ServerHandshake.Rtmpe.cs; rejected when no crypto is configured);
///     0x16 TLS; >= 0x20 another protocol; other small values (0x0A ...) are answered with S0 = 3, as the
///     handshake notes say a server that does not know the version does.
/// C1 version (bytes 4..7) zero: simple (S1 version 0, S2 = echo of C1).
/// Otherwise FP30 digest in scheme 1, then 0: digest (S1 version 3.5.1.1 with an FMS36 scheme-0 digest,
///     S2 = C1[0..1504) + signature); no valid digest: simple.
/// </code>
/// </remarks>
public sealed partial class ServerHandshake
{
    private const int C0C1Size = 1 + HandshakeDigest.PacketSize;
    private const int ResponseSize = 1 + 2 * HandshakeDigest.PacketSize;
    private const uint ServerVersion = 0x03050101; // 3.5.1.1: any value >= 3 makes clients check the digest

    private readonly HandshakeOptions _options;
    private readonly byte[] _s1Digest = new byte[HandshakeDigest.DigestSize]; // keys the C2 signature check
    private bool _responded;
    private bool _completed;

    /// <summary>Creates a server handshake; <paramref name="options"/> defaults to <see cref="HandshakeOptions.Default"/>.</summary>
    public ServerHandshake(HandshakeOptions? options = null) => _options = options ?? HandshakeOptions.Default;

    /// <summary>C0 as received (0 until it arrived). Logged: unknown versions below 0x20 are answered as 3.</summary>
    public byte ClientVersion { get; private set; }

    /// <summary>C1 bytes 4..7 as a big-endian number, e.g. 0x09007C02 for ffmpeg (9.0.124.2); 0 = simple client.</summary>
    public uint ClientC1Version { get; private set; }

    /// <summary>Which handshake was answered (known once S0..S2 are written).</summary>
    public HandshakeKind Kind { get; private set; }

    /// <summary>The scheme (0 or 1) of C1's valid digest, or -1 for a simple handshake.</summary>
    public int ClientDigestScheme { get; private set; } = -1;

    /// <summary>
    /// For digest handshakes, whether C2 carried the signature derived from our S1 digest; null for simple
    /// handshakes or before C2. A bad C2 is never rejected (an ffmpeg publisher echoes S1), only reported.
    /// </summary>
    public bool? ClientSignatureValid { get; private set; }

    /// <summary>Whether C2 has been consumed.</summary>
    public bool IsCompleted => _completed;

    /// <summary>S0 as sent (0 until S0..S2 are written): 3, or 0x06/0x08/0x09 for RTMPE.</summary>
    public byte ResponseVersion { get; private set; }

    /// <summary>
    /// Consumes C0+C1 (answering with S0+S1+S2 in one write to <paramref name="output"/>) and then C2, advancing
    /// <paramref name="input"/> past what it consumed. Bytes after C2 stay in <paramref name="input"/>.
    /// </summary>
    /// <returns>True once C2 has been consumed; false when more bytes are needed.</returns>
    /// <exception cref="RtmpProtocolException">
    /// C0 is not RTMP (TLS, HTTP), RTMPE while not enabled, or an RTMPE C1 without a valid digest or with a bad DH key.
    /// </exception>
    public bool TryAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_completed)
            return true;

        if (!_responded)
        {
            if (input.IsEmpty)
                return false;

            // Decide on the first byte alone, so TLS or HTTP is rejected without waiting for 1537 bytes.
            byte c0 = HandshakeBuffer.PeekFirst(input);
            ClientVersion = c0;
            HandshakeMode mode = HandshakeVersion.ClassifyClient(c0);
            if (mode == HandshakeMode.Encrypted && _options.Rtmpe is null)
                throw HandshakeVersion.RtmpeNotEnabled(c0);

            if (input.Length < C0C1Size)
                return false;

            if (mode == HandshakeMode.Encrypted)
                RespondEncrypted(input, output, _options.Rtmpe!);
            else
                Respond(input, output);
            input = input.Slice(C0C1Size);
            _responded = true;
        }

        if (input.Length < HandshakeDigest.PacketSize)
            return false;

        CheckC2(input);
        input = input.Slice(HandshakeDigest.PacketSize);
        _completed = true;
        return true;
    }

    private void Respond(in ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        ReadOnlySequence<byte> c1Bytes = input.Slice(1, HandshakeDigest.PacketSize);
        Span<byte> scratch = c1Bytes.IsSingleSegment ? default : stackalloc byte[HandshakeDigest.PacketSize];
        ReadOnlySpan<byte> c1 = HandshakeBuffer.Contiguous(c1Bytes, HandshakeDigest.PacketSize, scratch);

        Span<byte> response = output.GetSpan(ResponseSize)[..ResponseSize];
        Span<byte> s1 = response.Slice(1, HandshakeDigest.PacketSize);
        Span<byte> s2 = response.Slice(1 + HandshakeDigest.PacketSize, HandshakeDigest.PacketSize);

        // S0: plain RTMP here, and a server that does not know the version answers 3.
        response[0] = HandshakeVersion.Plain;
        ResponseVersion = HandshakeVersion.Plain;
        BinaryPrimitives.WriteUInt32BigEndian(s1, _options.Epoch());
        _options.Random(s1[8..]);

        ClientC1Version = BinaryPrimitives.ReadUInt32BigEndian(c1[4..]);
        if (ClientC1Version != 0
            && HandshakeDigest.TryFindDigest(c1, HandshakeDigest.Fp30, firstScheme: 1, out int scheme, out int c1DigestOffset))
        {
            Kind = HandshakeKind.Digest;
            ClientDigestScheme = scheme;

            // S1 always in scheme 0: an ffmpeg publisher looks for our (RTMPE) key at the scheme-0 position.
            BinaryPrimitives.WriteUInt32BigEndian(s1[4..], ServerVersion);
            int s1DigestOffset = HandshakeDigest.WriteDigest(s1, 0, HandshakeDigest.Fms36);
            s1.Slice(s1DigestOffset, HandshakeDigest.DigestSize).CopyTo(_s1Digest);

            // S2 = echo of C1 (keeps the time echo for clients that look at it) + signature from C1's digest.
            c1[..HandshakeDigest.SignatureOffset].CopyTo(s2);
            Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
            HandshakeDigest.ComputeSignatureKey(c1.Slice(c1DigestOffset, HandshakeDigest.DigestSize), HandshakeDigest.Fms68, key);
            HandshakeDigest.WriteSignature(s2, key);
        }
        else
        {
            // Simple: version 0 in S1, S2 echoes C1 (rtmpdump compares it).
            Kind = HandshakeKind.Simple;
            ClientDigestScheme = -1;
            s1.Slice(4, 4).Clear();
            c1.CopyTo(s2);
        }

        output.Advance(ResponseSize);
    }

    private void CheckC2(in ReadOnlySequence<byte> input)
    {
        if (Kind != HandshakeKind.Digest)
            return;

        Span<byte> scratch = input.FirstSpan.Length >= HandshakeDigest.PacketSize ? default : stackalloc byte[HandshakeDigest.PacketSize];
        ReadOnlySpan<byte> c2 = HandshakeBuffer.Contiguous(input, HandshakeDigest.PacketSize, scratch);

        Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
        HandshakeDigest.ComputeSignatureKey(_s1Digest, HandshakeDigest.Fp62, key);
        ClientSignatureValid = IsEncrypted
            ? RtmpeKeys.VerifySignature(_options.Rtmpe!, _signatureCipher, c2, key)
            : HandshakeDigest.VerifySignature(c2, key);
    }
}
