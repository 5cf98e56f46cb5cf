using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Fuzz.Infrastructure;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Fuzz.Targets;

/// <summary>
/// Fix-ups a handshake input may ask for in its first byte, so the fuzzer gets past the HMAC checks (it cannot forge
/// them) and spends its time on what the peer controls: versions, digest and key offsets, the other 1500 bytes.
/// </summary>
[Flags]
internal enum HandshakeFixups : byte
{
    None = 0,
    /// <summary>Write a valid digest into the first packet (C1 or S1), in the scheme that bit 1 says.</summary>
    SignFirstPacket = 1,
    /// <summary>Use digest scheme 1 instead of 0 for <see cref="SignFirstPacket"/>.</summary>
    SchemeOne = 2,
    /// <summary>Write a valid signature into the second packet (C2 or S2), keyed by the other side's digest.</summary>
    SignSecondPacket = 4,
}

/// <summary>Shared by the handshake targets.</summary>
internal static class HandshakeInput
{
    public const int PacketSize = HandshakeDigest.PacketSize;
    public const int FirstPacket = 1;                 // after the version byte
    public const int SecondPacket = 1 + PacketSize;   // after version byte and first packet

    /// <summary>The input without its fix-up byte, with the fix-ups applied to the packets that are complete.</summary>
    public static (HandshakeFixups Fixups, byte[] Bytes) Split(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return (HandshakeFixups.None, []);
        }
        return ((HandshakeFixups)(data.Span[0] & 7), data[1..].ToArray());
    }

    public static bool HasFirst(byte[] bytes) => bytes.Length >= 1 + PacketSize;

    public static bool HasSecond(byte[] bytes) => bytes.Length >= 1 + 2 * PacketSize;

    public static void SignFirst(byte[] bytes, HandshakeFixups fixups, ReadOnlySpan<byte> key)
    {
        if ((fixups & HandshakeFixups.SignFirstPacket) != 0 && HasFirst(bytes))
        {
            HandshakeDigest.WriteDigest(bytes.AsSpan(FirstPacket, PacketSize), (fixups & HandshakeFixups.SchemeOne) != 0 ? 1 : 0, key);
        }
    }

    /// <summary>Signs the second packet with the signature keyed by <paramref name="peerDigest"/> and <paramref name="fullKey"/>.</summary>
    public static void SignSecond(byte[] bytes, HandshakeFixups fixups, ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey)
    {
        if ((fixups & HandshakeFixups.SignSecondPacket) != 0 && HasSecond(bytes))
        {
            Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
            HandshakeDigest.ComputeSignatureKey(peerDigest, fullKey, key);
            HandshakeDigest.WriteSignature(bytes.AsSpan(SecondPacket, PacketSize), key);
        }
    }

    /// <summary>The digest a packet carries under <paramref name="key"/>, or empty.</summary>
    public static byte[] DigestOf(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key, int firstScheme)
    {
        return HandshakeDigest.TryFindDigest(packet, key, firstScheme, out _, out var offset)
            ? packet.Slice(offset, HandshakeDigest.DigestSize).ToArray()
            : [];
    }

    public static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzFailure(what);
        }
    }
}

/// <summary>
/// Server side of the plain handshake (simple and digest): input = fix-up byte, then what a client sends (C0, C1, C2,
/// maybe the first chunks). Run whole and in pieces; the answer must not depend on the split.
/// </summary>
internal static class HandshakeServerTarget
{
    public static void Run(ReadOnlyMemory<byte> data)
    {
        var (fixups, bytes) = HandshakeInput.Split(data);
        HandshakeInput.SignFirst(bytes, fixups, HandshakeDigest.Fp30);
        if ((fixups & HandshakeFixups.SignSecondPacket) != 0 && HandshakeInput.HasFirst(bytes))
        {
            // The server is deterministic here, so a dry run tells what S1 (and its digest) will be.
            var dry = Run(bytes.AsMemory(0, 1 + HandshakeInput.PacketSize), inPieces: false);
            if (dry.Output.Length > 1 + HandshakeInput.PacketSize)
            {
                var dryS1 = dry.Output.AsSpan(1, HandshakeInput.PacketSize);
                var digest = HandshakeInput.DigestOf(dryS1, HandshakeDigest.Fms36, firstScheme: 0);
                if (digest.Length > 0)
                {
                    HandshakeInput.SignSecond(bytes, fixups, digest, HandshakeDigest.Fp62);
                }
            }
        }

        var whole = Run(bytes, inPieces: false);
        var pieces = Run(bytes, inPieces: true);
        HandshakeInput.Check(whole.Summary == pieces.Summary, $"the server handshake depends on the split: {whole.Summary} vs {pieces.Summary}");
        HandshakeInput.Check(whole.Output.AsSpan().SequenceEqual(pieces.Output), "the server's S0+S1+S2 depend on the split");
        if (!whole.Completed)
        {
            return;
        }

        var output = whole.Output;
        HandshakeInput.Check(output.Length == 1 + 2 * HandshakeInput.PacketSize, $"the server wrote {output.Length} bytes, not S0+S1+S2");
        HandshakeInput.Check(whole.Remaining == bytes.Length - (1 + 2 * HandshakeInput.PacketSize), $"{whole.Remaining} bytes left after C2, of {bytes.Length}");
        var c1 = bytes.AsSpan(HandshakeInput.FirstPacket, HandshakeInput.PacketSize);
        var s1 = output.AsSpan(1, HandshakeInput.PacketSize);
        var s2 = output.AsSpan(1 + HandshakeInput.PacketSize, HandshakeInput.PacketSize);
        var c1Version = BinaryPrimitives.ReadUInt32BigEndian(c1[4..]);
        if (whole.Kind == HandshakeKind.Simple)
        {
            HandshakeInput.Check(s2.SequenceEqual(c1), "simple handshake: S2 is not the echo of C1");
            HandshakeInput.Check(c1Version == 0 || (fixups & HandshakeFixups.SignFirstPacket) == 0, "a C1 with a valid digest was answered as simple");
        }
        else
        {
            HandshakeInput.Check(HandshakeDigest.TryFindDigest(s1, HandshakeDigest.Fms36, firstScheme: 0, out _, out _), "digest handshake: S1 has no valid FMS digest");
            if ((fixups & HandshakeFixups.SignSecondPacket) != 0)
            {
                HandshakeInput.Check(whole.SignatureValid == true, "a correctly signed C2 was reported invalid");
            }
        }
    }

    private static Result Run(ReadOnlyMemory<byte> bytes, bool inPieces)
    {
        var handshake = new ServerHandshake(Deterministic.Options());
        var output = new ArrayBufferWriter<byte>();
        var completed = false;
        long remaining = 0;
        string? error = null;
        try
        {
            if (inPieces)
            {
                var rest = Segments.Feed(bytes, (ref ReadOnlySequence<byte> buffer) => handshake.TryAdvance(ref buffer, output));
                completed = handshake.IsCompleted;
                remaining = rest.Length;
            }
            else
            {
                var buffer = new ReadOnlySequence<byte>(bytes);
                completed = handshake.TryAdvance(ref buffer, output);
                remaining = buffer.Length;
            }
        }
        catch (RtmpProtocolException ex)
        {
            error = ex.Message;
        }
        var summary = $"completed {completed} kind {handshake.Kind} scheme {handshake.ClientDigestScheme} signature {handshake.ClientSignatureValid} error {error}";
        return new Result(completed, handshake.Kind, handshake.ClientSignatureValid, output.WrittenSpan.ToArray(), remaining, summary);
    }

    private sealed record Result(bool Completed, HandshakeKind Kind, bool? SignatureValid, byte[] Output, long Remaining, string Summary);
}

/// <summary>
/// Client side of the plain handshake (what a destination meets): input = fix-up byte, then what a server sends
/// (S0, S1, S2). The client's C0+C1 are fixed (deterministic), so S2 can be signed for it.
/// </summary>
internal static class HandshakeClientTarget
{
    public static void Run(ReadOnlyMemory<byte> data)
    {
        var (fixups, bytes) = HandshakeInput.Split(data);
        HandshakeInput.SignFirst(bytes, fixups, HandshakeDigest.Fms36);

        var whole = Run(bytes, inPieces: false, out var c0c1);
        if ((fixups & HandshakeFixups.SignSecondPacket) != 0)
        {
            var c1Digest = HandshakeInput.DigestOf(c0c1.AsSpan(1), HandshakeDigest.Fp30, firstScheme: 0);
            HandshakeInput.Check(c1Digest.Length > 0, "the client's C1 has no valid digest");
            HandshakeInput.SignSecond(bytes, fixups, c1Digest, HandshakeDigest.Fms68);
            whole = Run(bytes, inPieces: false, out _);
        }
        var pieces = Run(bytes, inPieces: true, out _);
        HandshakeInput.Check(whole.Summary == pieces.Summary, $"the client handshake depends on the split: {whole.Summary} vs {pieces.Summary}");
        HandshakeInput.Check(whole.Output.AsSpan().SequenceEqual(pieces.Output), "the client's C2 depends on the split");
        if (!whole.Completed)
        {
            return;
        }

        var c2 = whole.Output.AsSpan(c0c1.Length);
        HandshakeInput.Check(c2.Length == HandshakeInput.PacketSize, $"the client wrote a C2 of {c2.Length} bytes");
        var s1 = bytes.AsSpan(HandshakeInput.FirstPacket, HandshakeInput.PacketSize);
        if (whole.Kind == HandshakeKind.Simple)
        {
            HandshakeInput.Check(c2.SequenceEqual(s1), "simple handshake: C2 is not the echo of S1");
        }
        else
        {
            var s1Digest = HandshakeInput.DigestOf(s1, HandshakeDigest.Fms36, firstScheme: 0);
            Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
            HandshakeDigest.ComputeSignatureKey(s1Digest, HandshakeDigest.Fp62, key);
            HandshakeInput.Check(HandshakeDigest.VerifySignature(c2, key), "digest handshake: C2 is not signed for S1's digest");
            if ((fixups & HandshakeFixups.SignSecondPacket) != 0)
            {
                HandshakeInput.Check(whole.SignatureValid == true, "a correctly signed S2 was reported invalid");
            }
        }
    }

    private static Result Run(ReadOnlyMemory<byte> bytes, bool inPieces, out byte[] c0c1)
    {
        var handshake = new ClientHandshake(Deterministic.Options());
        var output = new ArrayBufferWriter<byte>();
        handshake.WriteC0C1(output);
        c0c1 = output.WrittenSpan.ToArray();
        var completed = false;
        string? error = null;
        try
        {
            if (inPieces)
            {
                Segments.Feed(bytes, (ref ReadOnlySequence<byte> buffer) => handshake.TryAdvance(ref buffer, output));
                completed = handshake.IsCompleted;
            }
            else
            {
                var buffer = new ReadOnlySequence<byte>(bytes);
                completed = handshake.TryAdvance(ref buffer, output);
            }
        }
        catch (RtmpProtocolException ex)
        {
            error = ex.Message;
        }
        var summary = $"completed {completed} kind {handshake.ServerKind} scheme {handshake.ServerDigestScheme} signature {handshake.S2SignatureValid} error {error}";
        return new Result(completed, handshake.ServerKind, handshake.S2SignatureValid, output.WrittenSpan.ToArray(), summary);
    }

    private sealed record Result(bool Completed, HandshakeKind Kind, bool? SignatureValid, byte[] Output, string Summary);
}
