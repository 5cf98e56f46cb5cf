using System.Buffers;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

public class HandshakeRoundTripTests
{
    // The client's first chunk (connect) often shares the segment with C2.
    private static readonly byte[] Trailing = [0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05, 0x14, 0x00];

    /// <summary>C0+C1+C2 from a deterministic client that completed against a deterministic server, plus trailing bytes.</summary>
    private static byte[] ClientBytes()
    {
        var client = new ClientHandshake(TestOptions.Deterministic());
        var clientOut = new ArrayBufferWriter<byte>();
        client.WriteC0C1(clientOut);
        byte[] c0c1 = clientOut.WrittenSpan.ToArray();

        ServerRun answer = ServerRun.Whole(TestOptions.Deterministic(), c0c1);
        var s0s1s2 = new ReadOnlySequence<byte>(answer.Output);
        var c2Out = new ArrayBufferWriter<byte>();
        Assert.True(client.TryAdvance(ref s0s1s2, c2Out));

        return [.. c0c1, .. c2Out.WrittenSpan, .. Trailing];
    }

    [Fact]
    public void ClientAgainstServer_DefaultOptions_BothCompleteWithDigestAndTrailingBytesKept()
    {
        var client = new ClientHandshake();
        var server = new ServerHandshake();
        var toServer = new ArrayBufferWriter<byte>();
        var toClient = new ArrayBufferWriter<byte>();

        client.WriteC0C1(toServer);
        var serverInput = new ReadOnlySequence<byte>(toServer.WrittenSpan.ToArray());
        toServer.Clear();
        Assert.False(server.TryAdvance(ref serverInput, toClient));

        var clientInput = new ReadOnlySequence<byte>(toClient.WrittenSpan.ToArray());
        Assert.True(client.TryAdvance(ref clientInput, toServer));
        Assert.True(clientInput.IsEmpty);

        byte[] c2AndChunk = [.. toServer.WrittenSpan, .. Trailing];
        serverInput = new ReadOnlySequence<byte>(c2AndChunk);
        Assert.True(server.TryAdvance(ref serverInput, toClient));

        Assert.Equal(Trailing, serverInput.ToArray());
        Assert.Equal(HandshakeKind.Digest, server.Kind);
        Assert.Equal(0, server.ClientDigestScheme);
        Assert.True(server.ClientSignatureValid);
        Assert.Equal(HandshakeKind.Digest, client.ServerKind);
        Assert.Equal(0, client.ServerDigestScheme);
        Assert.True(client.S2SignatureValid);
    }

    [Fact]
    public void ServerTryAdvance_InputWhole_CompletesWithValidSignatureAndKeepsTrailing()
    {
        ServerRun run = ServerRun.Whole(TestOptions.Deterministic(), ClientBytes());

        Assert.True(run.Completed);
        Assert.Equal(Trailing, run.Remaining);
        Assert.Equal(3073, run.Output.Length);
        Assert.Equal(HandshakeKind.Digest, run.Server.Kind);
        Assert.Equal(0, run.Server.ClientDigestScheme);
        Assert.True(run.Server.ClientSignatureValid);
    }

    [Fact]
    public void ServerTryAdvance_InputByteByByte_SameResultAsWhole()
    {
        byte[] data = ClientBytes();
        ServerRun whole = ServerRun.Whole(TestOptions.Deterministic(), data);

        ServerRun run = ServerRun.ByteByByte(TestOptions.Deterministic(), data);

        AssertSameResult(whole, run);
    }

    [Fact]
    public void ServerTryAdvance_InputSplitAtEveryOffset_SameResultAsWhole()
    {
        byte[] data = ClientBytes();
        ServerRun whole = ServerRun.Whole(TestOptions.Deterministic(), data);

        for (int cut = 0; cut <= data.Length; cut++)
        {
            ServerRun run = ServerRun.Feed(TestOptions.Deterministic(), data, [cut]);
            AssertSameResult(whole, run);
        }
    }

    [Fact]
    public void ServerTryAdvance_SimpleClientSplitAtEveryOffset_SameResultAsWhole()
    {
        byte[] c1 = new byte[HandshakeDigest.PacketSize];
        new Random(11).NextBytes(c1);
        c1.AsSpan(4, 4).Clear();
        byte[] data = [3, .. c1, .. new byte[HandshakeDigest.PacketSize], .. Trailing];
        ServerRun whole = ServerRun.Whole(TestOptions.Deterministic(), data);
        Assert.Equal(HandshakeKind.Simple, whole.Server.Kind);
        Assert.True(whole.Output.AsSpan(1 + HandshakeDigest.PacketSize).SequenceEqual(c1));

        for (int cut = 0; cut <= data.Length; cut += 7)
            AssertSameResult(whole, ServerRun.Feed(TestOptions.Deterministic(), data, [cut]));
    }

    private static void AssertSameResult(ServerRun expected, ServerRun actual)
    {
        Assert.True(actual.Completed);
        Assert.Equal(expected.Output, actual.Output);
        Assert.Equal(expected.Remaining, actual.Remaining);
        Assert.Equal(expected.Server.Kind, actual.Server.Kind);
        Assert.Equal(expected.Server.ClientDigestScheme, actual.Server.ClientDigestScheme);
        Assert.Equal(expected.Server.ClientSignatureValid, actual.Server.ClientSignatureValid);
        Assert.Equal(expected.Server.ClientVersion, actual.Server.ClientVersion);
    }
}
