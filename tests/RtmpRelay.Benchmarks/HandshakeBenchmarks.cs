using System.Buffers;
using BenchmarkDotNet.Attributes;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// The Flash Player 9 digest handshake, per connection: the server answering ffmpeg's C0+C1 (find the C1 digest,
/// sign S1, sign S2: five HMAC-SHA256 over about 1.5 KB), the client's C0+C1, and the digest primitive alone.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private byte[] _c0c1 = [];
    private byte[] _c1 = [];
    private readonly byte[] _digest = new byte[HandshakeDigest.DigestSize];

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ArrayBufferWriter<byte>(2048);
        new ClientHandshake().WriteC0C1(writer);
        _c0c1 = writer.WrittenSpan.ToArray();
        _c1 = _c0c1[1..];
    }

    /// <summary>ServerHandshake from C0+C1 to S0+S1+S2 written (digest handshake, ffmpeg's C1 in scheme 0).</summary>
    [Benchmark]
    public int ServerRespondToDigestC1()
    {
        _output.ResetWrittenCount();
        var handshake = new ServerHandshake();
        var input = new ReadOnlySequence<byte>(_c0c1);
        handshake.TryAdvance(ref input, _output);
        return _output.WrittenCount;
    }

    /// <summary>ClientHandshake writing C0+C1 with its FP30 digest.</summary>
    [Benchmark]
    public int ClientWriteC0C1()
    {
        _output.ResetWrittenCount();
        new ClientHandshake().WriteC0C1(_output);
        return _output.WrittenCount;
    }

    /// <summary>Locating and verifying C1's digest as a server does (scheme 1 fails, scheme 0 matches).</summary>
    [Benchmark]
    public int FindC1Digest()
    {
        HandshakeDigest.TryFindDigest(_c1, HandshakeDigest.Fp30, out var scheme, out var offset);
        return scheme + offset;
    }

    /// <summary>One digest: HMAC-SHA256 over the 1504 bytes around the digest position.</summary>
    [Benchmark(Baseline = true)]
    public byte ComputeDigest()
    {
        HandshakeDigest.ComputeDigest(_c1, HandshakeDigest.GetDigestOffset(_c1, 0), HandshakeDigest.Fp30, _digest);
        return _digest[0];
    }
}
