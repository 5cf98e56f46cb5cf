using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

public class ConnectTests
{
    [Fact]
    public async Task Connect_ToLive_ControlMessagesThenConnectSuccess()
    {
        await using var relay = new RelayHarness();
        var client = await relay.HandshakeAsync("c1");

        var response = await client.ConnectAsync("live");

        Assert.Equal("_result", response.Name);
        Assert.Equal(1.0, response.TransactionId);
        Assert.Equal("status", response.Info!.GetString("level"));
        Assert.Equal("NetConnection.Connect.Success", response.Code);
        Assert.Equal(0.0, response.Info.GetNumber("objectEncoding"));
        Assert.NotNull(response.Values![2] as RtmpRelay.Protocol.Amf.AmfObject); // server properties (fmsVer, capabilities)

        var all = client.All;
        Assert.Collection(all.Take(4),
            m =>
            {
                Assert.Equal(RtmpMessageType.WindowAcknowledgementSize, m.Type);
                Assert.Equal(2_500_000u, m.UInt32Value);
            },
            m =>
            {
                Assert.Equal(RtmpMessageType.SetPeerBandwidth, m.Type);
                Assert.Equal(2_500_000u, m.UInt32Value);
                Assert.Equal(2, m.Payload[4]); // dynamic
            },
            m =>
            {
                Assert.Equal(RtmpMessageType.SetChunkSize, m.Type);
                Assert.Equal(4096u, m.UInt32Value);
            },
            m => Assert.Same(response, m));
        Assert.All(all.Take(3), m => Assert.Equal(2, m.ChunkStreamId));
    }

    [Fact]
    public async Task Connect_AppWithQueryAndTrailingSlash_AcceptedAsTheApplication()
    {
        await using var relay = new RelayHarness();
        var client = await relay.HandshakeAsync("c1");

        var response = await client.ConnectAsync("live/?token=abc");

        Assert.Equal("NetConnection.Connect.Success", response.Code);
    }

    [Fact]
    public async Task Connect_UnknownApp_RejectedAndClosed()
    {
        await using var relay = new RelayHarness();
        var client = await relay.HandshakeAsync("c1");

        var response = await client.ConnectAsync("nosuchapp");

        Assert.Equal("_error", response.Name);
        Assert.Equal("error", response.Info!.GetString("level"));
        Assert.Equal("NetConnection.Connect.Rejected", response.Code);
        await client.WaitClosedAsync();
        var close = await relay.Log.WaitForCloseAsync("c1");
        Assert.Contains("connect rejected", close.Message);
        Assert.Contains("nosuchapp", close.Message);
        await relay.AssertHandlerCompletedAsync("c1");
    }

    [Fact]
    public async Task Connect_Twice_ClosedOnAProtocolError()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");

        await client.SendCommandAsync("connect", 2, 0, TestRtmpClient.ConnectObject("live"));

        await client.WaitClosedAsync();
        var close = await relay.Log.WaitForCloseAsync("c1");
        Assert.Equal(TestLogger.ProtocolError, close.EventId.Id);
        Assert.Contains("connect received twice", close.Message);
    }

    [Fact]
    public async Task UnknownCommand_WithTransactionId_AnsweredWithErrorAndConnectionKept()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");

        await client.SendCommandAsync("noSuchMethod", 7, 0, (object?)null);
        var response = await client.NextResponseAsync(7);

        Assert.Equal("_error", response.Name);
        Assert.Equal("NetConnection.Call.Failed", response.Code);
        await client.PingAsync();
    }

    [Fact]
    public async Task ClientHangsUp_AfterConnect_ClosedWithReasonAndHandlerCompletes()
    {
        await using var relay = new RelayHarness();
        var client = await relay.ConnectAsync("c1");

        await client.CloseAsync();

        var close = await relay.Log.WaitForCloseAsync("c1");
        Assert.Equal(TestLogger.Closed, close.EventId.Id);
        Assert.Contains("peer closed the connection", close.Message);
        await relay.AssertHandlerCompletedAsync("c1");
    }
}
