using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using RtmpRelay.Core;
using RtmpRelay.Options;

namespace RtmpRelay.Tests.Functional;

/// <summary>
/// The write loop's direct socket path (plain TCP destinations), over real loopback sockets: the bytes must be exactly
/// what the pipe path writes, also when the peer's window is full and sends finish asynchronously.
/// </summary>
public class DirectSocketSendTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DirectSocket_PeerReadsLate_ReceivesExactlyThePipePathsBytesInOrder()
    {
        var expected = await WriteThroughPipeAsync(SendMix);
        using var pair = await SocketPair.ConnectAsync(smallBuffers: true);

        await using var connection = NewConnection(pair.Relay, TimeProvider.System);
        var running = connection.RunAsync(_ => { });
        SendMix(connection);
        await Task.Delay(200); // the peer's window and the send buffer fill: the rest waits in the asynchronous send

        var received = await pair.ReadExactlyAsync(expected.Length);
        Assert.Equal(expected, received);
        Assert.Equal(expected.Length, connection.BytesSent);
        connection.Close("done");
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task DirectSocket_PeerNeverReads_ClosedAsWriteStalledAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        using var pair = await SocketPair.ConnectAsync(smallBuffers: true);
        await using var connection = NewConnection(pair.Relay, time, writeStall: TimeSpan.FromSeconds(10));
        var running = connection.RunAsync(_ => { });
        SendMix(connection);
        await Task.Delay(200);

        time.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(50);
        Assert.False(running.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await running.WaitAsync(Timeout);
        Assert.True(connection.WriteStalled);
        Assert.Contains("accepted no bytes for 10 s", connection.CloseReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectSocket_PeerResets_EndsWithATransportErrorInsteadOfThrowing()
    {
        using var pair = await SocketPair.ConnectAsync(smallBuffers: false);
        await using var connection = NewConnection(pair.Relay, TimeProvider.System);
        var running = connection.RunAsync(_ => { });
        pair.Peer.LingerState = new LingerOption(true, 0);
        pair.Peer.Close(); // RST

        for (var i = 0; i < 200 && !running.IsCompleted; i++)
        {
            connection.SendCommand(0, "onStatus", i, null, new string('x', 1000));
            await Task.Delay(10);
        }

        await running.WaitAsync(Timeout);
        Assert.False(connection.WriteStalled);
        Assert.Matches("transport error|peer closed", connection.CloseReason);
    }

    /// <summary>Small and large messages (one over the gathering buffer), so both send shapes run.</summary>
    private static void SendMix(RtmpConnection connection)
    {
        for (var i = 0; i < 400; i++)
        {
            var size = i % 50 == 0 ? 60_000 : 10 + i * 37 % 3000;
            connection.SendData(1, "onTextData", new string((char)('a' + i % 26), size), new string('z', i % 7 == 0 ? 40_000 : 1));
        }
    }

    private static RtmpConnection NewConnection(Socket socket, TimeProvider time, TimeSpan? writeStall = null) =>
        new(new StreamDuplexPipe(new NetworkStream(socket, ownsSocket: false)), "direct", new RelayOptions { SendQueueBytes = 64 << 20 }, time, new TestLogger())
        {
            RequireTraffic = false,
            WriteStallTimeout = writeStall,
            DirectSocket = socket,
        };

    /// <summary>What the pipe path writes for the same sends: the reference.</summary>
    private static async Task<byte[]> WriteThroughPipeAsync(Action<RtmpConnection> send)
    {
        var toPeer = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var fromPeer = new Pipe();
        var connection = new RtmpConnection(new DuplexPipe(fromPeer.Reader, toPeer.Writer), "pipe", new RelayOptions { SendQueueBytes = 64 << 20 },
            TimeProvider.System, new TestLogger()) { RequireTraffic = false };
        await using (connection)
        {
            var running = connection.RunAsync(_ => { });
            send(connection);
            connection.Close("done");
            await running.WaitAsync(Timeout);
        }
        var bytes = new MemoryStream();
        while (true)
        {
            var read = await toPeer.Reader.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                bytes.Write(segment.Span);
            }
            toPeer.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return bytes.ToArray();
            }
        }
    }

    private sealed class SocketPair : IDisposable
    {
        private SocketPair(Socket relay, Socket peer)
        {
            Relay = relay;
            Peer = peer;
        }

        public Socket Relay { get; }
        public Socket Peer { get; }

        public static async Task<SocketPair> ConnectAsync(bool smallBuffers)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (smallBuffers)
            {
                listener.ReceiveBufferSize = 4096; // inherited by the accepted socket: a small window fills quickly
            }
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var relay = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (smallBuffers)
            {
                relay.SendBufferSize = 4096;
            }
            var accepting = listener.AcceptAsync();
            await relay.ConnectAsync(listener.LocalEndPoint!);
            return new SocketPair(relay, await accepting.WaitAsync(Timeout));
        }

        public async Task<byte[]> ReadExactlyAsync(int length)
        {
            var bytes = new byte[length];
            using var deadline = new CancellationTokenSource(Timeout);
            var read = 0;
            while (read < length)
            {
                var n = await Peer.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, deadline.Token);
                Assert.True(n > 0, $"the relay closed after {read} of {length} bytes");
                read += n;
            }
            return bytes;
        }

        public void Dispose()
        {
            Relay.Dispose();
            Peer.Dispose();
        }
    }
}
