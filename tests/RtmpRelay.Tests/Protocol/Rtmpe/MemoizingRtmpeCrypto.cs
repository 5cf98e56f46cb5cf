using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

/// <summary>
/// Computes each Diffie-Hellman result once (about 2 ms per modular exponentiation), so a handshake can be replayed
/// thousands of times (split at every offset) with identical bytes. One client key pair for all runs.
/// </summary>
internal sealed class MemoizingRtmpeCrypto(IRtmpeCrypto inner) : IRtmpeCrypto
{
    private readonly Dictionary<string, (byte[] ServerKey, byte[] Secret)> _server = [];
    private MemoizingKeyPair? _client;

    public IRtmpeKeyPair CreateClientKeyPair() => _client ??= new MemoizingKeyPair(inner.CreateClientKeyPair());

    public void AgreeAsServer(ReadOnlySpan<byte> clientPublicKey, Span<byte> serverPublicKey, Span<byte> sharedSecret)
    {
        string id = Convert.ToHexString(clientPublicKey);
        if (!_server.TryGetValue(id, out var result))
        {
            result = (new byte[128], new byte[128]);
            inner.AgreeAsServer(clientPublicKey, result.ServerKey, result.Secret);
            _server[id] = result;
        }
        result.ServerKey.CopyTo(serverPublicKey);
        result.Secret.CopyTo(sharedSecret);
    }

    public IRtmpeStreamCipher CreateStreamCipher(ReadOnlySpan<byte> key) => inner.CreateStreamCipher(key);

    public void EncryptSignature(RtmpeSignatureCipher cipher, ReadOnlySpan<byte> signatureKey, Span<byte> signature) =>
        inner.EncryptSignature(cipher, signatureKey, signature);

    private sealed class MemoizingKeyPair(IRtmpeKeyPair inner) : IRtmpeKeyPair
    {
        private readonly Dictionary<string, byte[]> _secrets = [];

        public void WritePublicKey(Span<byte> destination) => inner.WritePublicKey(destination);

        public void ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, Span<byte> destination)
        {
            string id = Convert.ToHexString(peerPublicKey);
            if (!_secrets.TryGetValue(id, out byte[]? secret))
            {
                secret = new byte[128];
                inner.ComputeSharedSecret(peerPublicKey, secret);
                _secrets[id] = secret;
            }
            secret.CopyTo(destination);
        }
    }
}
