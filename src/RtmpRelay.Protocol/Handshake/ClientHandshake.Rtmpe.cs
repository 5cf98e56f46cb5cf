using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtmpRelay.Protocol.Handshake;

/// <remarks>
/// RTMPE, client side (as ffmpeg and rtmpdump speak it):
/// <code>
/// C0: 0x06
/// C1: time | 128.0.3.2 | random, our DH key at sum4(768) % 632 + 8, then the FP30 digest at
///     sum4(772) % 728 + 776 over all of it (scheme 1)
/// S0: 0x06/0x08/0x09 picks the signature cipher (anything else: protocol error)
/// S1: FMS36 digest in scheme 1, then 0 (none: protocol error); server key at that scheme's DH position
/// C2: 1504 random | HMAC(HMAC(FP62, S1 digest), C2[0..1504)), encrypted per S0
/// S2: checked against HMAC(HMAC(FMS68, C1 digest), S2[0..1504)) encrypted per S0; only reported
/// after C2: client->server bytes are RC4 (<see cref="Encryptor"/>), after S2 server->client too (<see cref="Decryptor"/>),
///     each after 1536 discarded keystream bytes. Bytes after S2 in the same read stay untouched in the input.
/// </code>
/// </remarks>
public sealed partial class ClientHandshake
{
    private const uint RtmpeClientVersion = 0x80000302; // 128.0.3.2, what ffmpeg and rtmpdump send for RTMPE
    private const byte RtmpeC0 = (byte)RtmpeSignatureCipher.None;

    private readonly byte[] _publicKey = new byte[RtmpeKeys.PublicKeySize];
    private IRtmpeKeyPair? _keyPair;
    private RtmpeSignatureCipher _signatureCipher = RtmpeSignatureCipher.None;

    /// <summary>Whether this handshake speaks RTMPE (set at construction).</summary>
    public bool IsEncrypted { get; }

    /// <summary>For RTMPE, the C2/S2 signature cipher the server chose with S0; <see cref="RtmpeSignatureCipher.None"/> otherwise.</summary>
    public RtmpeSignatureCipher SignatureCipher => _signatureCipher;

    /// <summary>For RTMPE, encrypts everything the client sends after C2; null otherwise. Set once C2 is written.</summary>
    public IRtmpeStreamCipher? Encryptor { get; private set; }

    /// <summary>
    /// For RTMPE, decrypts what the server sends after S2 (including bytes already in the input when
    /// <see cref="TryAdvance"/> returned true); null otherwise. Set once C2 is written, use after completion.
    /// </summary>
    public IRtmpeStreamCipher? Decryptor { get; private set; }

    private void WriteEncryptedC0C1(IBufferWriter<byte> output)
    {
        Span<byte> c0c1 = output.GetSpan(1 + HandshakeDigest.PacketSize)[..(1 + HandshakeDigest.PacketSize)];
        Span<byte> c1 = c0c1[1..];
        c0c1[0] = RtmpeC0;
        BinaryPrimitives.WriteUInt32BigEndian(c1, _options.Epoch());
        BinaryPrimitives.WriteUInt32BigEndian(c1[4..], RtmpeClientVersion);
        _options.Random(c1[8..]);

        _keyPair = _options.Rtmpe!.CreateClientKeyPair();
        _keyPair.WritePublicKey(_publicKey);
        // Key first: the digest covers it.
        _publicKey.CopyTo(c1.Slice(HandshakeDigest.GetDhKeyOffset(c1, 1), RtmpeKeys.PublicKeySize));
        int offset = HandshakeDigest.WriteDigest(c1, 1, HandshakeDigest.Fp30);
        c1.Slice(offset, HandshakeDigest.DigestSize).CopyTo(_c1Digest);

        output.Advance(1 + HandshakeDigest.PacketSize);
    }

    private void WriteEncryptedC2(in ReadOnlySequence<byte> s1Bytes, IBufferWriter<byte> output)
    {
        IRtmpeCrypto crypto = _options.Rtmpe!;
        Span<byte> scratch = s1Bytes.IsSingleSegment ? default : stackalloc byte[HandshakeDigest.PacketSize];
        ReadOnlySpan<byte> s1 = HandshakeBuffer.Contiguous(s1Bytes, HandshakeDigest.PacketSize, scratch);

        if (!HandshakeDigest.TryFindDigest(s1, HandshakeDigest.Fms36, firstScheme: 1, out int scheme, out int s1DigestOffset))
            throw new RtmpProtocolException("RTMPE S1 has no valid digest in either scheme, so the server's DH key cannot be located");

        ReadOnlySpan<byte> serverKey = s1.Slice(HandshakeDigest.GetDhKeyOffset(s1, scheme), RtmpeKeys.PublicKeySize);
        Span<byte> secret = stackalloc byte[RtmpeKeys.SharedSecretSize];
        try
        {
            // Validates the server key: a bad one throws before C2 is written.
            _keyPair!.ComputeSharedSecret(serverKey, secret);
            _keyPair = null; // the private key is no longer needed

            ServerKind = HandshakeKind.Digest;
            ServerDigestScheme = scheme;

            Span<byte> c2 = output.GetSpan(HandshakeDigest.PacketSize)[..HandshakeDigest.PacketSize];
            _options.Random(c2[..HandshakeDigest.SignatureOffset]);
            Span<byte> signatureKey = stackalloc byte[HandshakeDigest.DigestSize];
            HandshakeDigest.ComputeSignatureKey(s1.Slice(s1DigestOffset, HandshakeDigest.DigestSize), HandshakeDigest.Fp62, signatureKey);
            RtmpeKeys.WriteSignature(crypto, _signatureCipher, c2, signatureKey);

            (Encryptor, Decryptor) = RtmpeKeys.CreateStreamCiphers(crypto, secret, serverKey, _publicKey);
            output.Advance(HandshakeDigest.PacketSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
