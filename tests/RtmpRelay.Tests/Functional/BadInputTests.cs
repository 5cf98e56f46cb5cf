using System.Buffers;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Tests.Protocol.Chunks;

namespace RtmpRelay.Tests.Functional;

/// <summary>
/// Hostile or broken peers: each is closed with a logged reason, its handler returns normally, and the other
/// connections on the same registry carry on.
/// </summary>
public class BadInputTests
{
    private static async Task<LogEntry> AssertClosedOnProtocolErrorAsync(RelayHarness relay, string id, string reason)
    {
        var close = await relay.Log.WaitForCloseAsync(id);
        Assert.Equal(TestLogger.ProtocolError, close.EventId.Id);
        Assert.Contains(reason, close.Message, StringComparison.OrdinalIgnoreCase);
        await relay.AssertHandlerCompletedAsync(id);
        return close;
    }

    /// <summary>Leaves the idle timeout as the first deadline a connected, silent peer meets.</summary>
    private static void WithoutStartDeadline(RtmpRelay.Options.RelayOptions options) => options.Limits.SessionStartTimeout = TimeSpan.FromHours(1);

    /// <summary>The client side of the pipe sees the end of the stream (the server closed the transport).</summary>
    private static async Task AssertTransportClosedAsync(InMemoryConnection connection)
    {
        var input = connection.ClientTransport.Input;
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(TestRtmpClient.DefaultTimeout);
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2F, 0x20 }, "not RTMP: first byte 0x47 ('G')")] // "GET / "
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }, "TLS ClientHello")]
    [InlineData(new byte[] { 0x50, 0x4F, 0x53, 0x54 }, "not RTMP")] // "POST"
    [InlineData(new byte[] { 0xFF, 0x00 }, "not RTMP")]
    public async Task Handshake_NotRtmpFirstByte_ClosedWithReason(byte[] firstBytes, string reason)
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = relay.Open("bad");

        await bad.Client.SendRawAsync(firstBytes);

        await AssertClosedOnProtocolErrorAsync(relay, "bad", reason);
        await AssertTransportClosedAsync(bad);
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task Handshake_TruncatedThenStalled_ClosedAtTheHandshakeTimeout()
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = relay.Open("bad");
        await bad.Client.SendRawAsync([3, .. new byte[100]]); // C0 and 100 of the 1536 bytes of C1

        relay.Time.Advance(relay.Options.Limits.HandshakeTimeout - TimeSpan.FromSeconds(1));
        Assert.False(bad.HandlerTask.IsCompleted);
        relay.Time.Advance(TimeSpan.FromSeconds(2));

        await AssertClosedOnProtocolErrorAsync(relay, "bad", "handshake not completed within 5 s");
        await AssertTransportClosedAsync(bad);
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task Handshake_PeerHangsUpMidHandshake_ClosedWithReason()
    {
        await using var relay = new RelayHarness();
        var bad = relay.Open("bad");

        await bad.Client.SendRawAsync([3, .. new byte[1000]]);
        await bad.ClientTransport.Output.CompleteAsync();

        await AssertClosedOnProtocolErrorAsync(relay, "bad", "in the middle of the handshake");
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task Idle_PeerStopsMidMessage_ClosedAtTheIdleTimeout()
    {
        await using var relay = new RelayHarness(WithoutStartDeadline);
        var bad = await relay.ConnectAsync("bad");
        // The first 128-byte chunk of a 1000-byte video message, then a ping (so the chunk is known to be read).
        await bad.SendRawAsync(new ChunkBytes().Fmt0(6, 0, 1000, 9, 1).Data(new byte[128]).ToArray());
        await bad.PingAsync();

        relay.Time.Advance(relay.Options.Limits.IdleTimeout + TimeSpan.FromSeconds(1));

        await AssertClosedOnProtocolErrorAsync(relay, "bad", "peer stopped in the middle of a message for 30 s");
        await bad.WaitClosedAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task Idle_ConnectedPeerSendsNothing_ClosedAtTheIdleTimeout()
    {
        await using var relay = new RelayHarness(WithoutStartDeadline);
        var bad = await relay.ConnectAsync("bad");
        await bad.PingAsync();

        relay.Time.Advance(relay.Options.Limits.IdleTimeout + TimeSpan.FromSeconds(1));

        await AssertClosedOnProtocolErrorAsync(relay, "bad", "peer sent nothing for 30 s");
        await bad.WaitClosedAsync();
    }

    [Fact]
    public async Task Idle_PlayerSilentPastTheIdleTimeout_StaysConnected()
    {
        await using var relay = new RelayHarness(PublishPlayTests.NoBridging);
        var publisher = await relay.ConnectAsync("pub");
        await publisher.PublishOrFailAsync("cam1");
        var player = await relay.ConnectAsync("player");
        await player.PlayAttachedAsync("cam1"); // its read loop has gone round since play

        relay.Time.Advance(relay.Options.Limits.IdleTimeout * 3);

        await relay.Log.WaitForCloseAsync("pub"); // the silent publisher is gone...
        await player.NextStatusAsync("NetStream.Play.UnpublishNotify");
        await player.PingAsync(); // ...the silent player is not
        Assert.DoesNotContain(relay.Log.Entries, e => e.ConnectionId == "player" && e.EventId.Id is TestLogger.Closed or TestLogger.ProtocolError);
    }

    [Fact]
    public async Task Message_LongerThanMaxMessageLength_ClosedBeforeBuffering()
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = await relay.ConnectAsync("bad");

        // Announces 16 MiB, sends one byte of it.
        await bad.SendRawAsync(new ChunkBytes().Fmt0(6, 0, 0xFFFFFF, 9, 1).Data([0x17]).ToArray());

        await AssertClosedOnProtocolErrorAsync(relay, "bad", "exceeds the limit of 8388608");
        await bad.WaitClosedAsync();
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task ChunkStreams_StormOfIds_ClosedAtMaxChunkStreams()
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = await relay.ConnectAsync("bad");

        var storm = new ChunkBytes();
        for (var csid = 10; csid < 10 + 500; csid++)
        {
            storm.Fmt0(csid, 0, 1, 8, 0).Data([0xAF]);
        }
        await bad.SendRawAsync(storm.ToArray());

        await AssertClosedOnProtocolErrorAsync(relay, "bad", "More than 64 chunk streams");
        await bad.WaitClosedAsync();
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(255)]
    public async Task Message_UnknownType_ClosedOnAProtocolError(byte type)
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = await relay.ConnectAsync("bad");

        await bad.SendMessageAsync(3, (RtmpMessageType)type, 0, 0, [1, 2, 3]);

        await AssertClosedOnProtocolErrorAsync(relay, "bad", $"Unknown message type {type}");
        await bad.WaitClosedAsync();
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task Command_AmfNestedDeeperThanMaxAmfDepth_ClosedOnAProtocolError()
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = await relay.HandshakeAsync("bad");

        var nested = new AmfObject().Add("leaf", 1.0);
        for (var i = 0; i < 40; i++)
        {
            nested = new AmfObject().Add("child", nested);
        }
        var command = TestRtmpClient.ConnectObject("live").Add("nested", nested);
        await bad.SendCommandAsync("connect", 1, 0, command);

        await AssertClosedOnProtocolErrorAsync(relay, "bad", $"nested deeper than {relay.Options.Limits.MaxAmfDepth}");
        await bad.WaitClosedAsync();
        Assert.DoesNotContain(bad.All, m => m.Name == "_result");
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Fact]
    public async Task Command_AmfWithinMaxAmfDepth_Accepted()
    {
        await using var relay = new RelayHarness();
        var client = await relay.HandshakeAsync("c1");

        var nested = new AmfObject().Add("leaf", 1.0);
        for (var i = 0; i < 20; i++)
        {
            nested = new AmfObject().Add("child", nested);
        }
        await client.SendCommandAsync("connect", 1, 0, TestRtmpClient.ConnectObject("live").Add("nested", nested));

        Assert.Equal("NetConnection.Connect.Success", (await client.NextResponseAsync(1)).Code);
    }

    [Theory]
    [InlineData("createStream")]
    [InlineData("publish")]
    [InlineData("play")]
    public async Task Command_BeforeConnect_ClosedOnAProtocolError(string name)
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = await relay.HandshakeAsync("bad");

        await bad.SendCommandAsync(name, 2, 0, null, "cam1");

        await AssertClosedOnProtocolErrorAsync(relay, "bad", $"Command '{name}' before connect");
        await bad.WaitClosedAsync();
        Assert.False(relay.Registry.TryGet(new("live", "cam1"), out _));
        await pair.AssertRelaysAsync();
        await HealthyPair.AssertNewConnectionsWorkAsync(relay);
    }

    [Theory]
    [InlineData("SetChunkSize0", "Set Chunk Size to 0")]
    [InlineData("SetChunkSizeTopBit", "Set Chunk Size to 2147483648")]
    [InlineData("Fmt1WithoutHeader", "no previous header")]
    [InlineData("CommandWithoutName", "Command without a name")]
    [InlineData("TruncatedAmf", "AMF")]
    public async Task Chunks_ProtocolViolation_ClosedWithReason(string violation, string reason)
    {
        await using var relay = new RelayHarness();
        var pair = await HealthyPair.StartAsync(relay, "healthy");
        var bad = await relay.ConnectAsync("bad");

        byte[] bytes = violation switch
        {
            "SetChunkSize0" => new ChunkBytes().Fmt0(2, 0, 4, 1, 0).Data([0, 0, 0, 0]).ToArray(),
            "SetChunkSizeTopBit" => new ChunkBytes().Fmt0(2, 0, 4, 1, 0).Data([0x80, 0, 0, 0]).ToArray(),
            "Fmt1WithoutHeader" => new ChunkBytes().Basic(1, 40).Data([0, 0, 0, 0, 0, 1, 8, 0xAF]).ToArray(),
            "CommandWithoutName" => Chunked(RtmpMessageType.CommandAmf0, TestRtmpClient.Amf(1.0, 2.0)),
            _ => Chunked(RtmpMessageType.CommandAmf0, TestRtmpClient.Amf("createStream", 2.0)[..^3]),
        };
        await bad.SendRawAsync(bytes);

        await AssertClosedOnProtocolErrorAsync(relay, "bad", reason);
        await bad.WaitClosedAsync();
        await pair.AssertRelaysAsync();
    }

    private static byte[] Chunked(RtmpMessageType type, byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 3, type, 0, 0, payload, 128);
        return output.WrittenSpan.ToArray();
    }
}
