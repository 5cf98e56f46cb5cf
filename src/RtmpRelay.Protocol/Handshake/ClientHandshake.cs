using System.Buffers;
using System.Buffers.Binary;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// Client side of the RTMP handshake, as ffmpeg speaks it: plain C0 = 3 and a Flash Player 9 digest C1
/// (version 9.0.124.2, scheme 0), or RTMPE (ClientHandshake.Rtmpe.cs) when created with encrypted = true.
/// Pure and synchronous, buffers nothing itself.
/// </summary>
/// <remarks>
/// <code>
/// client                                  server
///   WriteC0C1: C0 = 3, C1 (1536)  ----->
///                                 &lt;-----  S0 (1) + S1 (1536)
///   C2 (1536), as soon as S1 is in ---->  (the spec lets a server hold S2 until C2)
///                                 &lt;-----  S2 (1536)
///
/// C1: time BE32 | 09 00 7c 02 | 1528 random with an FP30 digest in scheme 0
/// S1 version != 0 and an FMS36 digest (scheme 0, then 1): C2 = 1504 random + signature keyed by
///     HMAC(FP62, S1 digest); S2 must be signed with HMAC(FMS68, C1 digest) (only reported).
/// Otherwise: C2 = echo of S1.
/// </code>
/// </remarks>
public sealed partial class ClientHandshake
{
    private const int S0S1Size = 1 + HandshakeDigest.PacketSize;
    private const uint ClientVersion = 0x09007C02; // 9.0.124.2, what ffmpeg sends

    private readonly HandshakeOptions _options;
    private readonly byte[] _c1Digest = new byte[HandshakeDigest.DigestSize]; // keys the S2 signature check
    private bool _c0c1Written;
    private bool _c2Written;
    private bool _completed;

    /// <summary>
    /// Creates a client handshake; <paramref name="options"/> defaults to <see cref="HandshakeOptions.Default"/>.
    /// With <paramref name="encrypted"/> (default false) it speaks RTMPE, which needs <see cref="HandshakeOptions.Rtmpe"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="encrypted"/> without <see cref="HandshakeOptions.Rtmpe"/>.</exception>
    public ClientHandshake(HandshakeOptions? options = null, bool encrypted = false)
    {
        _options = options ?? HandshakeOptions.Default;
        if (encrypted && _options.Rtmpe is null)
            throw new ArgumentException("an RTMPE client handshake needs HandshakeOptions.Rtmpe", nameof(options));
        IsEncrypted = encrypted;
    }

    /// <summary>S0 as received (0 until it arrived).</summary>
    public byte ServerVersion { get; private set; }

    /// <summary>Digest when S1 carried a valid FMS digest, else Simple (known once C2 is written).</summary>
    public HandshakeKind ServerKind { get; private set; }

    /// <summary>The scheme of S1's valid digest, or -1.</summary>
    public int ServerDigestScheme { get; private set; } = -1;

    /// <summary>
    /// For digest servers, whether S2 carried the signature derived from our C1 digest; null for simple servers
    /// or before S2. Never fatal: real servers vary.
    /// </summary>
    public bool? S2SignatureValid { get; private set; }

    /// <summary>Whether S2 has been consumed.</summary>
    public bool IsCompleted => _completed;

    /// <summary>Writes C0 + C1 (1537 bytes). Call once, before <see cref="TryAdvance"/>.</summary>
    public void WriteC0C1(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_c0c1Written)
            throw new InvalidOperationException("C0+C1 have already been written");
        if (IsEncrypted)
        {
            WriteEncryptedC0C1(output);
            _c0c1Written = true;
            return;
        }

        Span<byte> c0c1 = output.GetSpan(1 + HandshakeDigest.PacketSize)[..(1 + HandshakeDigest.PacketSize)];
        Span<byte> c1 = c0c1[1..];
        c0c1[0] = HandshakeVersion.Plain;
        BinaryPrimitives.WriteUInt32BigEndian(c1, _options.Epoch());
        BinaryPrimitives.WriteUInt32BigEndian(c1[4..], ClientVersion);
        _options.Random(c1[8..]);
        int offset = HandshakeDigest.WriteDigest(c1, 0, HandshakeDigest.Fp30);
        c1.Slice(offset, HandshakeDigest.DigestSize).CopyTo(_c1Digest);

        output.Advance(1 + HandshakeDigest.PacketSize);
        _c0c1Written = true;
    }

    /// <summary>
    /// Consumes S0+S1 (answering with C2 on <paramref name="output"/>) and then S2, advancing
    /// <paramref name="input"/> past what it consumed. Bytes after S2 stay in <paramref name="input"/>.
    /// </summary>
    /// <returns>True once S2 has been consumed; false when more bytes are needed.</returns>
    /// <exception cref="RtmpProtocolException">
    /// S0 is not plain RTMP (or, for RTMPE, not 0x06/0x08/0x09); for RTMPE also an S1 without a valid digest or with a bad DH key.
    /// </exception>
    public bool TryAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!_c0c1Written)
            throw new InvalidOperationException("call WriteC0C1 before TryAdvance");
        if (_completed)
            return true;

        if (!_c2Written)
        {
            if (input.IsEmpty)
                return false;

            ServerVersion = HandshakeBuffer.PeekFirst(input);
            if (IsEncrypted)
                _signatureCipher = HandshakeVersion.CheckRtmpeServer(ServerVersion);
            else
                HandshakeVersion.CheckServer(ServerVersion);
            if (input.Length < S0S1Size)
                return false;

            if (IsEncrypted)
                WriteEncryptedC2(input.Slice(1, HandshakeDigest.PacketSize), output);
            else
                WriteC2(input.Slice(1, HandshakeDigest.PacketSize), output);
            input = input.Slice(S0S1Size);
            _c2Written = true;
        }

        if (input.Length < HandshakeDigest.PacketSize)
            return false;

        CheckS2(input);
        input = input.Slice(HandshakeDigest.PacketSize);
        _completed = true;
        return true;
    }

    private void WriteC2(in ReadOnlySequence<byte> s1Bytes, IBufferWriter<byte> output)
    {
        Span<byte> scratch = s1Bytes.IsSingleSegment ? default : stackalloc byte[HandshakeDigest.PacketSize];
        ReadOnlySpan<byte> s1 = HandshakeBuffer.Contiguous(s1Bytes, HandshakeDigest.PacketSize, scratch);

        Span<byte> c2 = output.GetSpan(HandshakeDigest.PacketSize)[..HandshakeDigest.PacketSize];
        if (BinaryPrimitives.ReadUInt32BigEndian(s1[4..]) != 0
            && HandshakeDigest.TryFindDigest(s1, HandshakeDigest.Fms36, firstScheme: 0, out int scheme, out int offset))
        {
            ServerKind = HandshakeKind.Digest;
            ServerDigestScheme = scheme;
            _options.Random(c2[..HandshakeDigest.SignatureOffset]);
            Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
            HandshakeDigest.ComputeSignatureKey(s1.Slice(offset, HandshakeDigest.DigestSize), HandshakeDigest.Fp62, key);
            HandshakeDigest.WriteSignature(c2, key);
        }
        else
        {
            ServerKind = HandshakeKind.Simple;
            s1.CopyTo(c2);
        }
        output.Advance(HandshakeDigest.PacketSize);
    }

    private void CheckS2(in ReadOnlySequence<byte> input)
    {
        if (ServerKind != HandshakeKind.Digest)
            return;

        Span<byte> scratch = input.FirstSpan.Length >= HandshakeDigest.PacketSize ? default : stackalloc byte[HandshakeDigest.PacketSize];
        ReadOnlySpan<byte> s2 = HandshakeBuffer.Contiguous(input, HandshakeDigest.PacketSize, scratch);

        Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
        HandshakeDigest.ComputeSignatureKey(_c1Digest, HandshakeDigest.Fms68, key);
        S2SignatureValid = IsEncrypted
            ? RtmpeKeys.VerifySignature(_options.Rtmpe!, _signatureCipher, s2, key)
            : HandshakeDigest.VerifySignature(s2, key);
    }
}
