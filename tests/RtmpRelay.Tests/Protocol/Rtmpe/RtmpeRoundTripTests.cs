using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Tests.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

public class RtmpeRoundTripTests
{
    private const int PacketSize = HandshakeDigest.PacketSize;

    // What each side sends first after the handshake (a connect chunk, a window ack size), before encryption.
    private static readonly byte[] ClientFirst = [0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05, 0x14, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x07];
    private static readonly byte[] ServerFirst = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x25, 0xA0];

    /// <summary>Client and server options that produce the same bytes on every run (memoized DH, seeded randomness).</summary>
    private sealed class Setup(RtmpeServerResponse response)
    {
        private readonly MemoizingRtmpeCrypto _clientCrypto = new(TestRtmpeCrypto.Deterministic(101));
        private readonly MemoizingRtmpeCrypto _serverCrypto = new(TestRtmpeCrypto.Deterministic(202));

        public HandshakeOptions ServerOptions() => TestRtmpeCrypto.Options(_serverCrypto, response);

        public ClientHandshake StartedClient(out byte[] c0c1)
        {
            var client = new ClientHandshake(TestRtmpeCrypto.Options(_clientCrypto), encrypted: true);
            var output = new ArrayBufferWriter<byte>();
            client.WriteC0C1(output);
            c0c1 = output.WrittenSpan.ToArray();
            return client;
        }
    }

    /// <summary>One complete exchange in whole packets; each side's first message is encrypted after it.</summary>
    private sealed record Exchange(
        ServerHandshake Server, ClientHandshake Client,
        byte[] ClientBytes, byte[] ServerBytes);

    private static Exchange Run(Setup setup)
    {
        ClientHandshake client = setup.StartedClient(out byte[] c0c1);
        ServerRun answer = ServerRun.Whole(setup.ServerOptions(), c0c1);
        Assert.False(answer.Completed);

        ClientRun clientRun = ClientRun.Feed(client, answer.Output, []);
        Assert.True(clientRun.Completed);
        Assert.Empty(clientRun.Remaining);

        byte[] clientFirst = Encrypt(client.Encryptor!, ClientFirst);
        byte[] clientBytes = [.. c0c1, .. clientRun.Output, .. clientFirst];
        ServerRun serverRun = ServerRun.Whole(setup.ServerOptions(), clientBytes);
        Assert.True(serverRun.Completed);
        Assert.Equal(answer.Output, serverRun.Output);

        byte[] serverBytes = [.. answer.Output, .. Encrypt(serverRun.Server.Encryptor!, ServerFirst)];
        return new Exchange(serverRun.Server, client, clientBytes, serverBytes);
    }

    private static byte[] Encrypt(IRtmpeStreamCipher cipher, byte[] plain)
    {
        byte[] cipherText = new byte[plain.Length];
        cipher.Transform(plain, cipherText);
        return cipherText;
    }

    public static TheoryData<RtmpeServerResponse> Responses => new(Enum.GetValues<RtmpeServerResponse>());

    public static TheoryData<RtmpeServerResponse> FixedResponses =>
        new(RtmpeServerResponse.None, RtmpeServerResponse.Xtea, RtmpeServerResponse.Blowfish);

    [Theory]
    [MemberData(nameof(Responses))]
    public void ClientAgainstServer_EachResponse_BothCompleteWithValidSignaturesAndPairedCiphers(RtmpeServerResponse response)
    {
        var setup = new Setup(response);
        ClientHandshake client = setup.StartedClient(out byte[] c0c1);
        var server = new ServerHandshake(setup.ServerOptions());
        var toClient = new ArrayBufferWriter<byte>();
        var toServer = new ArrayBufferWriter<byte>();

        var serverInput = new ReadOnlySequence<byte>(c0c1);
        Assert.False(server.TryAdvance(ref serverInput, toClient));
        var clientInput = new ReadOnlySequence<byte>(toClient.WrittenSpan.ToArray());
        Assert.True(client.TryAdvance(ref clientInput, toServer));
        serverInput = new ReadOnlySequence<byte>(toServer.WrittenSpan.ToArray());
        Assert.True(server.TryAdvance(ref serverInput, toClient));

        byte expectedS0 = response == RtmpeServerResponse.MirrorClient ? (byte)0x06 : (byte)response;
        Assert.Equal(0x06, c0c1[0]);
        Assert.Equal(0x80000302u, BinaryPrimitives.ReadUInt32BigEndian(c0c1.AsSpan(5)));
        Assert.Equal(expectedS0, client.ServerVersion);
        Assert.Equal(client.SignatureCipher, server.SignatureCipher);
        Assert.True(client.IsEncrypted);
        Assert.True(server.IsEncrypted);
        Assert.Equal(1, server.ClientDigestScheme);
        Assert.Equal(0, client.ServerDigestScheme);
        Assert.True(server.ClientSignatureValid);
        Assert.True(client.S2SignatureValid);

        // Four streams, two directions, several messages each: the keystreams stay in step.
        for (int i = 0; i < 3; i++)
        {
            byte[] upstream = Encrypt(client.Encryptor!, ClientFirst);
            Assert.NotEqual(ClientFirst, upstream);
            Assert.Equal(ClientFirst, Encrypt(server.Decryptor!, upstream));

            byte[] downstream = Encrypt(server.Encryptor!, ServerFirst);
            Assert.NotEqual(ServerFirst, downstream);
            Assert.Equal(ServerFirst, Encrypt(client.Decryptor!, downstream));
        }
    }

    [Theory]
    [MemberData(nameof(FixedResponses))]
    public void ServerTryAdvance_ClientBytesWholeByteByByteAndSplitAtEveryOffset_SameResultCiphertextLeftInInput(RtmpeServerResponse response)
    {
        var setup = new Setup(response);
        Exchange exchange = Run(setup);
        byte[] data = exchange.ClientBytes;
        ServerRun whole = ServerRun.Whole(setup.ServerOptions(), data);

        Check(whole);
        Check(ServerRun.ByteByByte(setup.ServerOptions(), data));
        for (int cut = 0; cut <= data.Length; cut++)
            Check(ServerRun.Feed(setup.ServerOptions(), data, [cut]));

        void Check(ServerRun run)
        {
            Assert.True(run.Completed);
            Assert.Equal(whole.Output, run.Output);
            Assert.True(run.Server.ClientSignatureValid);
            Assert.Equal((byte)response, run.Server.ResponseVersion);
            // The bytes after C2 are left as they came (ciphertext); the server's decryptor reads them.
            Assert.Equal(data.AsSpan(data.Length - ClientFirst.Length).ToArray(), run.Remaining);
            Assert.Equal(ClientFirst, Encrypt(run.Server.Decryptor!, run.Remaining));
        }
    }

    [Theory]
    [MemberData(nameof(FixedResponses))]
    public void ClientTryAdvance_ServerBytesWholeByteByByteAndSplitAtEveryOffset_SameResultCiphertextLeftInInput(RtmpeServerResponse response)
    {
        var setup = new Setup(response);
        Exchange exchange = Run(setup);
        byte[] data = exchange.ServerBytes;
        ClientRun whole = ClientRun.Feed(setup.StartedClient(out _), data, []);

        Check(whole);
        Check(ClientRun.Feed(setup.StartedClient(out _), data, Enumerable.Range(1, data.Length - 1)));
        for (int cut = 0; cut <= data.Length; cut++)
            Check(ClientRun.Feed(setup.StartedClient(out _), data, [cut]));

        void Check(ClientRun run)
        {
            Assert.True(run.Completed);
            Assert.Equal(whole.Output, run.Output);
            Assert.Equal(PacketSize, run.Output.Length);
            Assert.True(run.Client.S2SignatureValid);
            Assert.Equal((RtmpeSignatureCipher)response, run.Client.SignatureCipher);
            Assert.Equal(data.AsSpan(data.Length - ServerFirst.Length).ToArray(), run.Remaining);
            Assert.Equal(ServerFirst, Encrypt(run.Client.Decryptor!, run.Remaining));
        }
    }

    [Fact]
    public void ClientTryAdvance_WrongS2Signature_CompletesAndReportsInvalid()
    {
        var setup = new Setup(RtmpeServerResponse.Xtea);
        byte[] data = Run(setup).ServerBytes;
        data[1 + PacketSize + 1504] ^= 0x01;

        ClientRun run = ClientRun.Feed(setup.StartedClient(out _), data, []);

        Assert.True(run.Completed);
        Assert.False(run.Client.S2SignatureValid);
    }

    [Fact]
    public void ClientWriteC0C1_Rtmpe_C0Is6Version128032KeyAndDigestInScheme1()
    {
        var crypto = TestRtmpeCrypto.Scripted(RtmpeVectors.PrivateA());
        var client = new ClientHandshake(TestRtmpeCrypto.Options(crypto), encrypted: true);
        var output = new ArrayBufferWriter<byte>();

        client.WriteC0C1(output);

        byte[] c1 = output.WrittenSpan[1..].ToArray();
        Assert.Equal(1 + PacketSize, output.WrittenCount);
        Assert.Equal(0x06, output.WrittenSpan[0]);
        Assert.Equal(TestOptions.Epoch, BinaryPrimitives.ReadUInt32BigEndian(c1));
        Assert.Equal(0x80000302u, BinaryPrimitives.ReadUInt32BigEndian(c1.AsSpan(4)));
        Assert.True(HandshakeDigest.VerifyDigest(c1, 1, HandshakeDigest.Fp30));
        Assert.Equal(RtmpeVectors.A, Convert.ToHexStringLower(c1.AsSpan(HandshakeDigest.GetDhKeyOffset(c1, 1), 128)));
    }

    [Theory]
    [InlineData(0x03, "server answered S0=0x03 to an RTMPE C0")]
    [InlineData(0x0A, "server answered S0=0x0A to an RTMPE C0")]
    [InlineData(0x16, "TLS")]
    public void ClientTryAdvance_NonRtmpeS0_Throws(byte s0, string reason)
    {
        var client = new Setup(RtmpeServerResponse.MirrorClient).StartedClient(out _);
        var input = new ReadOnlySequence<byte>([s0]);

        var error = Assert.Throws<RtmpProtocolException>(() => client.TryAdvance(ref input, new ArrayBufferWriter<byte>()));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void ClientTryAdvance_S1WithoutDigest_ThrowsBeforeWritingC2()
    {
        var client = new Setup(RtmpeServerResponse.MirrorClient).StartedClient(out _);
        byte[] s1 = new byte[PacketSize];
        new Random(9).NextBytes(s1);
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>([0x06, .. s1]);

        var error = Assert.Throws<RtmpProtocolException>(() => client.TryAdvance(ref input, output));

        Assert.Contains("RTMPE S1 has no valid digest", error.Message);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void ClientConstructor_EncryptedWithoutRtmpe_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ClientHandshake(TestOptions.Deterministic(), encrypted: true));
    }

    [Fact]
    public void ClientPlain_NoCiphers()
    {
        var client = new ClientHandshake(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(1)));
        var output = new ArrayBufferWriter<byte>();

        client.WriteC0C1(output);

        Assert.False(client.IsEncrypted);
        Assert.Equal(3, output.WrittenSpan[0]);
        Assert.Null(client.Encryptor);
    }
}
