using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RtmpRelay.Hosting;
using RtmpRelay.Transports.Tcp;

namespace RtmpRelay.Tests.Transports.Tcp;

public class RtmpSocketTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Counts the blocks out on loan, to see what a connection holds.</summary>
    private sealed class CountingPool : MemoryPool<byte>
    {
        private readonly ReceiveBlockPool _inner = new();
        private int _out;

        public int Out => Volatile.Read(ref _out);
        public override int MaxBufferSize => _inner.MaxBufferSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            Interlocked.Increment(ref _out);
            return new Loan(this, _inner.Rent(minBufferSize));
        }

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Loan(CountingPool pool, IMemoryOwner<byte> inner) : IMemoryOwner<byte>
        {
            private int _returned;
            public Memory<byte> Memory => inner.Memory;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _returned, 1) == 0)
                {
                    Interlocked.Decrement(ref pool._out);
                    inner.Dispose();
                }
            }
        }
    }

    private sealed class Bound : IAsyncDisposable
    {
        public required IConnectionListener Listener { get; init; }
        public required CountingPool Pool { get; init; }
        public int Port => ((IPEndPoint)Listener.EndPoint).Port;

        public async Task<(Socket Client, ConnectionContext Server)> ConnectAsync()
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
            var server = await Listener.AcceptAsync().AsTask().WaitAsync(Timeout);
            return (client, server!);
        }

        public async ValueTask DisposeAsync()
        {
            await Listener.UnbindAsync();
            await Listener.DisposeAsync();
        }
    }

    private static async Task<Bound> BindAsync()
    {
        var pool = new CountingPool();
        var transport = new RtmpSocketTransport(pool);
        var listener = await transport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        return new Bound { Listener = listener, Pool = pool };
    }

    [Fact]
    public void CanBind_TheClaimedEndpointsOnly()
    {
        var transport = new RtmpSocketTransport(new ReceiveBlockPool());
        var rtmp = new IPEndPoint(IPAddress.Loopback, 0);
        transport.Claim(rtmp);
        transport.Claim(new IPEndPoint(IPAddress.Loopback, 1935));

        Assert.True(transport.CanBind(rtmp));
        Assert.False(transport.CanBind(new IPEndPoint(IPAddress.Loopback, 0))); // another endpoint on a dynamic port (admin)
        Assert.True(transport.CanBind(new IPEndPoint(IPAddress.IPv6Loopback, 1935))); // "localhost" is bound once per address
        Assert.False(transport.CanBind(new IPEndPoint(IPAddress.Loopback, 1985)));
        Assert.False(transport.CanBind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 1935))); // RTMPT on another address, same port
        transport.Claim(new IPEndPoint(IPAddress.IPv6Any, 1936));
        Assert.True(transport.CanBind(new IPEndPoint(IPAddress.Any, 1936))); // "*" falls back to IPv4 without IPv6
        Assert.False(transport.CanBind(new UnixDomainSocketEndPoint("/tmp/rtmp.sock")));
    }

    [Fact]
    public async Task BindAsync_PortInUse_ThrowsAddressInUse()
    {
        await using var first = await BindAsync();
        var transport = new RtmpSocketTransport(new ReceiveBlockPool());

        await Assert.ThrowsAsync<AddressInUseException>(() => transport.BindAsync(new IPEndPoint(IPAddress.Loopback, first.Port)).AsTask());
    }

    [Fact]
    public async Task Connection_ReadsAndWritesTheSocket()
    {
        await using var bound = await BindAsync();
        var (client, server) = await bound.ConnectAsync();
        using var _ = client;
        await using var __ = server;

        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
        Assert.True(server.Features.Get<IConnectionSocketFeature>()!.Socket.NoDelay);
        var sent = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        await client.SendAsync(sent);
        var received = new List<byte>();
        while (received.Count < sent.Length)
        {
            var read = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            received.AddRange(read.Buffer.ToArray());
            server.Transport.Input.AdvanceTo(read.Buffer.End);
        }
        Assert.Equal(sent, received);

        await server.Transport.Output.WriteAsync("answer"u8.ToArray());
        var answer = new byte[16];
        var count = await client.ReceiveAsync(answer).WaitAsync(Timeout);
        Assert.Equal("answer"u8.ToArray(), answer[..count]);
    }

    [Fact]
    public async Task IdleConnection_HoldsNoReceiveBlock()
    {
        await using var bound = await BindAsync();
        var (client, server) = await bound.ConnectAsync();
        using var _ = client;
        await using var __ = server;

        var waiting = server.Transport.Input.ReadAsync();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, bound.Pool.Out); // waits for data before it takes a block

        await client.SendAsync(new byte[1000]);
        var read = await waiting.AsTask().WaitAsync(Timeout);
        Assert.Equal(1000, read.Buffer.Length);
        Assert.Equal(1, bound.Pool.Out);
        server.Transport.Input.AdvanceTo(read.Buffer.End);

        waiting = server.Transport.Input.ReadAsync();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, bound.Pool.Out); // everything read went back
        await client.SendAsync(new byte[1]);
        await waiting.AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Abort_EndsAPendingReadAndFiresConnectionClosed()
    {
        await using var bound = await BindAsync();
        var (client, server) = await bound.ConnectAsync();
        using var _ = client;
        await using var __ = server;
        var closed = new TaskCompletionSource();
        server.ConnectionClosed.Register(closed.SetResult);

        var waiting = server.Transport.Input.ReadAsync().AsTask();
        server.Abort(new ConnectionAbortedException("shutting down"));

        var result = await waiting.WaitAsync(Timeout);
        Assert.True(result.IsCompleted);
        await closed.Task.WaitAsync(Timeout);
        var buffer = new byte[1];
        Assert.Equal(0, await client.ReceiveAsync(buffer).WaitAsync(Timeout)); // the peer sees the end
    }

    [Fact]
    public async Task PeerCloses_ReadEndsCompleted()
    {
        await using var bound = await BindAsync();
        var (client, server) = await bound.ConnectAsync();
        await using var _ = server;

        await client.SendAsync("bye"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        var bytes = 0L;
        while (true)
        {
            var read = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            bytes += read.Buffer.Length;
            server.Transport.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        Assert.Equal(3, bytes);
        client.Dispose();
    }

    [Fact]
    public async Task DisposeAsync_SendsWhatWasWrittenThenCloses()
    {
        await using var bound = await BindAsync();
        var (client, server) = await bound.ConnectAsync();
        using var _ = client;

        server.Transport.Output.Write("last words"u8);
        await server.DisposeAsync();
        await server.DisposeAsync(); // twice is harmless

        var received = new MemoryStream();
        var buffer = new byte[64];
        int count;
        while ((count = await client.ReceiveAsync(buffer).WaitAsync(Timeout)) > 0)
        {
            received.Write(buffer, 0, count);
        }
        Assert.Equal("last words"u8.ToArray(), received.ToArray());
    }

    [Fact]
    public async Task UnbindAsync_EndsAcceptWithNoConnection()
    {
        var bound = await BindAsync();
        var accepting = bound.Listener.AcceptAsync().AsTask();

        await bound.Listener.UnbindAsync();

        Assert.Null(await accepting.WaitAsync(Timeout));
        await bound.Listener.DisposeAsync();
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>The relay's host: RTMP endpoints on this transport, everything else (admin HTTP) on Kestrel's.</summary>
    [Fact]
    public async Task AddRtmpRelay_RtmpEndpointOnThisTransport_AdminOnKestrels()
    {
        var rtmpPort = FreePort();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Rtmp:Url"] = $"rtmp://127.0.0.1:{rtmpPort}",
            ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:0",
        });
        builder.AddRtmpRelay();
        await using var app = builder.Build();
        app.MapRtmpRelay();
        await app.StartAsync();
        try
        {
            var transport = app.Services.GetRequiredService<RtmpSocketTransport>();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
            var admin = new Uri(addresses.Single(a => !a.EndsWith($":{rtmpPort}", StringComparison.Ordinal)));

            // RTMP: the handshake is answered (C0+C1 in, S0+S1+S2 out) on a connection this transport accepted.
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(IPAddress.Loopback, rtmpPort);
            var c0c1 = new byte[1 + 1536];
            c0c1[0] = 3;
            await client.SendAsync(c0c1);
            var answer = new byte[1 + 1536 * 2];
            var received = 0;
            while (received < answer.Length)
            {
                var count = await client.ReceiveAsync(answer.AsMemory(received)).AsTask().WaitAsync(Timeout);
                Assert.True(count > 0, "the relay closed the connection during the handshake");
                received += count;
            }
            Assert.Equal(3, answer[0]);
            Assert.Equal(1, transport.AcceptedConnections);

            // Admin: HTTP on Kestrel's own transport.
            using var http = new HttpClient { Timeout = Timeout };
            var health = await http.GetAsync(new Uri(admin, "/healthz"));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(1, transport.AcceptedConnections);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
