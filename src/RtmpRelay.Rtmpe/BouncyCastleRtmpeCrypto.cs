using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Rtmpe;

/// <summary>
/// The RTMPE primitives on BouncyCastle: DH-1024 (RFC 2409 group 2), RC4, and the XTEA/Blowfish signature ciphers.
/// Stateless apart from its random source, so one instance serves every connection:
/// <c>new HandshakeOptions { Rtmpe = BouncyCastleRtmpeCrypto.Shared }</c>.
/// </summary>
public sealed class BouncyCastleRtmpeCrypto : IRtmpeCrypto
{
    // A random client key makes a zero top byte for the public key or the secret with odds 2/256 per try;
    // 64 tries failing means something else is wrong.
    private const int MaxServerKeyAttempts = 64;

    private readonly Func<DhKeyPair> _generateKeyPair;

    /// <summary>Creates the crypto with a fresh <see cref="SecureRandom"/> for private keys.</summary>
    public BouncyCastleRtmpeCrypto()
        : this(new SecureRandom())
    {
    }

    /// <summary>Creates the crypto drawing private keys from <paramref name="random"/> (must be thread-safe; BouncyCastle's are).</summary>
    public BouncyCastleRtmpeCrypto(SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var generator = new DHKeyPairGenerator();
        generator.Init(new DHKeyGenerationParameters(random, RtmpeDiffieHellman.Group));
        _generateKeyPair = () =>
        {
            AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();
            return new DhKeyPair((DHPrivateKeyParameters)pair.Private, (DHPublicKeyParameters)pair.Public);
        };
    }

    /// <summary>Tests: private keys from a script.</summary>
    internal BouncyCastleRtmpeCrypto(Func<DhKeyPair> generateKeyPair) => _generateKeyPair = generateKeyPair;

    /// <summary>A process-wide instance with a <see cref="SecureRandom"/>.</summary>
    public static BouncyCastleRtmpeCrypto Shared { get; } = new();

    /// <inheritdoc />
    public IRtmpeKeyPair CreateClientKeyPair() => _generateKeyPair();

    /// <inheritdoc />
    public void AgreeAsServer(ReadOnlySpan<byte> clientPublicKey, Span<byte> serverPublicKey, Span<byte> sharedSecret)
    {
        DHPublicKeyParameters client = RtmpeDiffieHellman.ReadPeerKey(clientPublicKey);
        for (int attempt = 0; attempt < MaxServerKeyAttempts; attempt++)
        {
            // Both top bytes non-zero: then left-aligned and padded secrets are the same bytes, and every client agrees.
            DhKeyPair pair = _generateKeyPair();
            if (!RtmpeDiffieHellman.HasNonZeroTopByte(pair.Public.Y))
                continue;
            BigInteger secret = pair.Agree(client);
            if (!RtmpeDiffieHellman.HasNonZeroTopByte(secret))
                continue;

            RtmpeDiffieHellman.WritePadded(pair.Public.Y, serverPublicKey);
            RtmpeDiffieHellman.WritePadded(secret, sharedSecret);
            return;
        }
        throw new InvalidOperationException($"no RTMPE server key with non-zero top bytes after {MaxServerKeyAttempts} attempts");
    }

    /// <inheritdoc />
    public IRtmpeStreamCipher CreateStreamCipher(ReadOnlySpan<byte> key) => new Rc4StreamCipher(key);

    /// <inheritdoc />
    public void EncryptSignature(RtmpeSignatureCipher cipher, ReadOnlySpan<byte> signatureKey, Span<byte> signature) =>
        RtmpeSignatureCiphers.EncryptSignature(cipher, signatureKey, signature);
}
