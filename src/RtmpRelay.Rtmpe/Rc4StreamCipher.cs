using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Rtmpe;

/// <summary>RC4 keystream (BouncyCastle's <see cref="RC4Engine"/>) from position 0; one per direction.</summary>
internal sealed class Rc4StreamCipher : IRtmpeStreamCipher
{
    private readonly RC4Engine _engine = new();

    public Rc4StreamCipher(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
            throw new ArgumentException("an RC4 key is at least one byte", nameof(key));
        _engine.Init(forEncryption: true, new KeyParameter(key.ToArray()));
    }

    public void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
            throw new ArgumentException($"output ({output.Length} bytes) is shorter than input ({input.Length} bytes)", nameof(output));
        // RC4Engine reads input[i] before writing output[i]: in place is safe.
        _engine.ProcessBytes(input, output[..input.Length]);
    }
}
