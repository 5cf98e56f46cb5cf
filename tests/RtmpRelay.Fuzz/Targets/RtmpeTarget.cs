using System.Buffers;
using RtmpRelay.Fuzz.Infrastructure;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Fuzz.Targets;

/// <summary>
/// The RTMPE handshake with the real crypto (DH-1024, RC4, XTEA/Blowfish signatures), then the encrypted chunk stream
/// that follows it. Input byte 0: bit 0/1 as <see cref="HandshakeFixups"/> (a valid digest in C1, or S1, so the DH key
/// is looked at); bits 3-4 the server's S0 choice (mirror, 6, 8, 9); bit 7 plays the client side instead (input =
/// what a server sends). The rest is the peer's bytes: C0 (6, 8 or 9), C1, C2, then RC4-encrypted chunks.
/// </summary>
internal static class RtmpeTarget
{
    private static readonly RtmpeServerResponse[] Responses =
        [RtmpeServerResponse.MirrorClient, RtmpeServerResponse.None, RtmpeServerResponse.Xtea, RtmpeServerResponse.Blowfish];

    public static void Run(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        var flags = data.Span[0];
        var (fixups, bytes) = HandshakeInput.Split(data);
        if ((flags & 0x80) != 0)
        {
            HandshakeInput.SignFirst(bytes, fixups, HandshakeDigest.Fms36);
            Compare(RunClient(bytes, inPieces: false), RunClient(bytes, inPieces: true));
        }
        else
        {
            HandshakeInput.SignFirst(bytes, fixups, HandshakeDigest.Fp30);
            var response = Responses[(flags >> 3) & 3];
            Compare(RunServer(bytes, response, inPieces: false), RunServer(bytes, response, inPieces: true));
        }
    }

    private static void Compare(string whole, string pieces) =>
        HandshakeInput.Check(whole == pieces, $"the RTMPE handshake depends on the split: {whole} vs {pieces}");

    private static string RunServer(byte[] bytes, RtmpeServerResponse response, bool inPieces)
    {
        var handshake = new ServerHandshake(Deterministic.Options(Deterministic.Crypto(), response));
        var output = new ArrayBufferWriter<byte>();
        string? error = null;
        try
        {
            var rest = Advance(bytes, inPieces, (ref ReadOnlySequence<byte> buffer) => handshake.TryAdvance(ref buffer, output));
            if (handshake.IsCompleted && handshake.IsEncrypted)
            {
                HandshakeInput.Check(handshake.Decryptor is not null && handshake.Encryptor is not null, "RTMPE completed without ciphers");
                HandshakeInput.Check(output.WrittenCount == 1 + 2 * HandshakeInput.PacketSize, $"the RTMPE server wrote {output.WrittenCount} bytes");
                HandshakeInput.Check(output.WrittenSpan[0] is 6 or 8 or 9, $"the RTMPE server answered S0 = {output.WrittenSpan[0]}");
                ReadEncrypted(rest, handshake.Decryptor!);
            }
        }
        catch (RtmpProtocolException ex)
        {
            error = ex.Message;
        }
        return $"completed {handshake.IsCompleted} encrypted {handshake.IsEncrypted} cipher {handshake.SignatureCipher} signature {handshake.ClientSignatureValid} output {Convert.ToHexString(output.WrittenSpan)} error {error}";
    }

    private static string RunClient(byte[] bytes, bool inPieces)
    {
        var handshake = new ClientHandshake(Deterministic.Options(Deterministic.Crypto()), encrypted: true);
        var output = new ArrayBufferWriter<byte>();
        handshake.WriteC0C1(output);
        string? error = null;
        try
        {
            var rest = Advance(bytes, inPieces, (ref ReadOnlySequence<byte> buffer) => handshake.TryAdvance(ref buffer, output));
            if (handshake.IsCompleted)
            {
                HandshakeInput.Check(handshake.Decryptor is not null && handshake.Encryptor is not null, "RTMPE completed without ciphers");
                ReadEncrypted(rest, handshake.Decryptor!);
            }
        }
        catch (RtmpProtocolException ex)
        {
            error = ex.Message;
        }
        return $"completed {handshake.IsCompleted} cipher {handshake.SignatureCipher} signature {handshake.S2SignatureValid} output {Convert.ToHexString(output.WrittenSpan)} error {error}";
    }

    private static ReadOnlySequence<byte> Advance(byte[] bytes, bool inPieces, Segments.ReadStep step)
    {
        if (inPieces)
        {
            return Segments.Feed(bytes, step);
        }
        var buffer = new ReadOnlySequence<byte>(bytes);
        return step(ref buffer) ? buffer : ReadOnlySequence<byte>.Empty;
    }

    /// <summary>Decrypts what followed the handshake, in pieces as the encrypted pipe does, and reads it as chunks.</summary>
    private static void ReadEncrypted(ReadOnlySequence<byte> rest, IRtmpeStreamCipher decryptor)
    {
        var plain = new byte[rest.Length];
        var at = 0;
        foreach (var segment in rest)
        {
            decryptor.Transform(segment.Span, plain.AsSpan(at, segment.Length));
            at += segment.Length;
        }
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(plain);
        ChunkTarget.Drain(reader, ref buffer, fingerprints: null);
    }
}
