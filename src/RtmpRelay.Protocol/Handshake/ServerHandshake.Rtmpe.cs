using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtmpRelay.Protocol.Handshake;

/// <remarks>
/// RTMPE, server side (C0 = 0x06/0x08/0x09 with <see cref="HandshakeOptions.Rtmpe"/> set):
/// <code>
/// C1: time | version (128.0.3.2) | random, with an FP30 digest and the client DH key (128 bytes)
///     digest in scheme 1, then 0 (none: protocol error, the key cannot be located);
///     client key at GetDhKeyOffset(C1, that scheme)
/// S0: the client's C0 or the configured <see cref="HandshakeOptions.RtmpeResponse"/>; picks the signature cipher
/// S1: time | 3.5.1.1 | random, server key at sum4(1532) % 632 + 772 (scheme 0), then the FMS36 digest
///     at sum4(8) % 728 + 12 over all of it. Always scheme 0: an ffmpeg publisher looks there.
/// S2: C1[0..1504) echo | HMAC(HMAC(FMS68, C1 digest), S2[0..1504)), encrypted per S0
/// C2: checked against HMAC(HMAC(FP62, S1 digest), C2[0..1504)) encrypted per S0; a mismatch is only reported
/// after C2: client->server bytes are RC4 (<see cref="Decryptor"/>), server->client too (<see cref="Encryptor"/>),
///     each after 1536 discarded keystream bytes. Bytes after C2 in the same read stay untouched in the input.
/// </code>
/// </remarks>
public sealed partial class ServerHandshake
{
    private RtmpeSignatureCipher _signatureCipher = RtmpeSignatureCipher.None;

    /// <summary>Whether this is an RTMPE handshake (known once S0..S2 are written).</summary>
    public bool IsEncrypted { get; private set; }

    /// <summary>For RTMPE, the cipher of the C2/S2 signatures chosen by our S0; <see cref="RtmpeSignatureCipher.None"/> otherwise.</summary>
    public RtmpeSignatureCipher SignatureCipher => _signatureCipher;

    /// <summary>
    /// For RTMPE, decrypts what the client sends after C2 (including bytes already in the input when
    /// <see cref="TryAdvance"/> returned true); null otherwise. Set once S0..S2 are written, use after completion.
    /// </summary>
    public IRtmpeStreamCipher? Decryptor { get; private set; }

    /// <summary>For RTMPE, encrypts everything the server sends after S2; null otherwise.</summary>
    public IRtmpeStreamCipher? Encryptor { get; private set; }

    private void RespondEncrypted(in ReadOnlySequence<byte> input, IBufferWriter<byte> output, IRtmpeCrypto crypto)
    {
        byte c0 = ClientVersion;
        ReadOnlySequence<byte> c1Bytes = input.Slice(1, HandshakeDigest.PacketSize);
        Span<byte> scratch = c1Bytes.IsSingleSegment ? default : stackalloc byte[HandshakeDigest.PacketSize];
        ReadOnlySpan<byte> c1 = HandshakeBuffer.Contiguous(c1Bytes, HandshakeDigest.PacketSize, scratch);

        ClientC1Version = BinaryPrimitives.ReadUInt32BigEndian(c1[4..]);
        if (!HandshakeDigest.TryFindDigest(c1, HandshakeDigest.Fp30, firstScheme: 1, out int scheme, out int c1DigestOffset))
            throw new RtmpProtocolException($"RTMPE C1 (C0=0x{c0:X2}) has no valid digest in either scheme, so its DH key cannot be located");

        ReadOnlySpan<byte> clientKey = c1.Slice(HandshakeDigest.GetDhKeyOffset(c1, scheme), RtmpeKeys.PublicKeySize);
        Span<byte> serverKey = stackalloc byte[RtmpeKeys.PublicKeySize];
        Span<byte> secret = stackalloc byte[RtmpeKeys.SharedSecretSize];
        try
        {
            // Validates the client key: a bad one throws before anything is written.
            crypto.AgreeAsServer(clientKey, serverKey, secret);

            Kind = HandshakeKind.Digest;
            ClientDigestScheme = scheme;
            _signatureCipher = _options.RtmpeResponse == RtmpeServerResponse.MirrorClient
                ? (RtmpeSignatureCipher)c0
                : (RtmpeSignatureCipher)_options.RtmpeResponse;

            Span<byte> response = output.GetSpan(ResponseSize)[..ResponseSize];
            Span<byte> s1 = response.Slice(1, HandshakeDigest.PacketSize);
            Span<byte> s2 = response.Slice(1 + HandshakeDigest.PacketSize, HandshakeDigest.PacketSize);

            response[0] = (byte)_signatureCipher;
            BinaryPrimitives.WriteUInt32BigEndian(s1, _options.Epoch());
            BinaryPrimitives.WriteUInt32BigEndian(s1[4..], ServerVersion);
            _options.Random(s1[8..]);
            // Key first: the digest covers it.
            serverKey.CopyTo(s1.Slice(HandshakeDigest.GetDhKeyOffset(s1, 0), RtmpeKeys.PublicKeySize));
            int s1DigestOffset = HandshakeDigest.WriteDigest(s1, 0, HandshakeDigest.Fms36);
            s1.Slice(s1DigestOffset, HandshakeDigest.DigestSize).CopyTo(_s1Digest);

            c1[..HandshakeDigest.SignatureOffset].CopyTo(s2);
            Span<byte> signatureKey = stackalloc byte[HandshakeDigest.DigestSize];
            HandshakeDigest.ComputeSignatureKey(c1.Slice(c1DigestOffset, HandshakeDigest.DigestSize), HandshakeDigest.Fms68, signatureKey);
            RtmpeKeys.WriteSignature(crypto, _signatureCipher, s2, signatureKey);

            (Decryptor, Encryptor) = RtmpeKeys.CreateStreamCiphers(crypto, secret, serverKey, clientKey);
            IsEncrypted = true;
            ResponseVersion = response[0];
            output.Advance(ResponseSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
