using System.Globalization;
using System.Numerics;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Functional;

/// <summary>
/// Hostile RTMPE handshakes through the real connection handler: a bad Diffie-Hellman key, a truncated C1, an unknown
/// version, RTMPE on an endpoint that refuses it. Each ends with a logged reason; no crash, no hang, others unharmed.
/// </summary>
public class RtmpeBadInputTests
{
    private const string PrimeHex =
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";

    public static TheoryData<string, byte[]> BadKeys()
    {
        var p = BigInteger.Parse("0" + PrimeHex, NumberStyles.HexNumber);
        return new TheoryData<string, byte[]>
        {
            { "zero", ToKey(BigInteger.Zero) },
            { "one", ToKey(BigInteger.One) },
            { "p-1", ToKey(p - 1) },
            // p-2 is not in the order-q subgroup: (p-2)^q mod p = p-1, not 1.
            { "outside the subgroup", ToKey(p - 2) },
        };
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task RtmpeHandshake_InvalidDiffieHellmanKey_ClosedWithReason(string name, byte[] key)
    {
        _ = name;
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = relay.Open("bad");

        await bad.Client.SendRawAsync([0x06, .. RtmpeC1(key)]);

        var close = await relay.Log.WaitForCloseAsync("bad");
        Assert.Equal(TestLogger.ProtocolError, close.EventId.Id);
        Assert.Contains("Diffie-Hellman", close.Message);
        await relay.AssertHandlerCompletedAsync("bad");
        await pair.AssertRelaysAsync();
    }

    [Fact]
    public async Task RtmpeHandshake_TruncatedC1ThenStalled_ClosedAtTheHandshakeTimeout()
    {
        await using var relay = new RelayHarness();
        var bad = relay.Open("bad");
        var c1 = RtmpeC1(ToKey(new BigInteger(5)));

        await bad.Client.SendRawAsync([0x06, .. c1.AsSpan(0, 700)]);
        relay.Time.Advance(relay.Options.Limits.HandshakeTimeout + TimeSpan.FromSeconds(1));

        var close = await relay.Log.WaitForCloseAsync("bad");
        Assert.Contains("handshake not completed", close.Message);
        await relay.AssertHandlerCompletedAsync("bad");
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task RtmpeHandshake_RefusedByTheEndpoint_ClosedWithReason()
    {
        await using var relay = new RelayHarness();
        var bad = relay.Open("bad");
        bad.Context.Items[Server.RtmpConnectionHandler.RtmpeRefusedKey] = true;

        await bad.Client.SendRawAsync([0x06, .. RtmpeC1(ToKey(new BigInteger(5)))]);

        var close = await relay.Log.WaitForCloseAsync("bad");
        Assert.Equal(TestLogger.ProtocolError, close.EventId.Id);
        Assert.Contains("RTMPE", close.Message);
        await relay.AssertHandlerCompletedAsync("bad");
    }

    [Fact]
    public async Task RtmpeHandshake_DisabledInOptions_ClosedWithReason()
    {
        await using var relay = new RelayHarness(o => o.Rtmpe.Enabled = false);
        var bad = relay.Open("bad");

        await bad.Client.SendRawAsync([0x06, .. RtmpeC1(ToKey(new BigInteger(5)))]);

        var close = await relay.Log.WaitForCloseAsync("bad");
        Assert.Contains("RTMPE", close.Message);
        await relay.AssertHandlerCompletedAsync("bad");
    }

    [Fact]
    public async Task Handshake_UnknownVersion0x0A_AnsweredAsPlainRtmpAndLogged()
    {
        await using var relay = new RelayHarness();
        var odd = relay.Open("odd");
        var c1 = new byte[1536]; // version 0: simple handshake
        var c2 = new byte[1536];

        await odd.Client.SendRawAsync([0x0A, .. c1, .. c2]);

        var done = await relay.Log.WaitForAsync(e => e.Message.Contains("Handshake done"), "handshake done");
        Assert.Contains("client version 10", done.Message);
    }

    /// <summary>An RTMPE C1 in scheme 1 with <paramref name="key"/> at the key position and a valid FP digest.</summary>
    private static byte[] RtmpeC1(byte[] key)
    {
        var c1 = new byte[1536];
        new Random(7).NextBytes(c1);
        c1[4] = 128; c1[5] = 0; c1[6] = 3; c1[7] = 2;
        key.CopyTo(c1.AsSpan(HandshakeDigest.GetDhKeyOffset(c1, 1), 128));
        HandshakeDigest.WriteDigest(c1, 1, HandshakeDigest.Fp30);
        return c1;
    }

    private static byte[] ToKey(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var key = new byte[128];
        bytes.CopyTo(key.AsSpan(128 - bytes.Length));
        return key;
    }
}
